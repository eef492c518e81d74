//! What a file is, from its bytes, never from its name: executables (refused everywhere), zips (read
//! through their directory only, never extracted, so a zip bomb costs nothing) and the type shown to people.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// What begins a PE, ELF or Mach-O file (thin or fat), if these bytes begin one.
pub fn executable_kind(head: &[u8]) -> Option<&'static str> {
    match head {
        [b'M', b'Z', ..] => Some("a PE (Windows) executable"),
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF executable"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => Some("a Mach-O executable"),
        [0xca, 0xfe, 0xba, 0xbe, ..] => Some("a Mach-O universal executable"),
        _ => None,
    }
}

fn head_of(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4);
    reader.take(4).read_to_end(&mut head)?;
    Ok(head)
}

/// Why a file may not be offered: it is a raw executable, or a zip holding one unencrypted (or a zip that
/// cannot be read). Each reason is a sentence; none means the file is fine.
pub fn refusals(path: &Path) -> Vec<String> {
    let head = match File::open(path).and_then(|mut f| head_of(&mut f)) {
        Ok(head) => head,
        Err(e) => return vec![format!("cannot be read: {e}")],
    };
    if let Some(kind) = executable_kind(&head) {
        return vec![format!("is {kind}: put it in an encrypted zip (password infected)")];
    }
    if head.starts_with(b"PK\x03\x04") { zip_refusals(path) } else { Vec::new() }
}

fn zip_refusals(path: &Path) -> Vec<String> {
    let opened =
        File::open(path).map_err(|e| e.to_string()).and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let mut archive = match opened {
        Ok(archive) => archive,
        Err(e) => return vec![format!("is a zip that cannot be read: {e}")],
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let meta = archive.by_index_raw(i).map(|entry| {
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {i}"));
            (name, entry.encrypted(), entry.is_dir())
        });
        let (name, encrypted, dir) = match meta {
            Ok(meta) => meta,
            Err(e) => {
                out.push(format!("zip entry {i} cannot be read: {e}"));
                continue;
            }
        };
        if encrypted || dir {
            continue;
        }
        // Only the first four bytes of an entry are inflated: enough to know an executable.
        let head =
            archive.by_index(i).map_err(|e| e.to_string()).and_then(|mut e| head_of(&mut e).map_err(|e| e.to_string()));
        match head {
            Ok(head) => {
                if let Some(kind) = executable_kind(&head) {
                    out.push(format!("holds {name:?}, {kind}, unencrypted: encrypt the zip (password infected)"));
                }
            }
            Err(e) => out.push(format!("zip entry {name:?} cannot be read: {e}")),
        }
    }
    out
}

/// The media type of a file from its content: known formats by their signature, UTF-8 text as text,
/// anything else as bytes.
pub fn media_type(path: &Path) -> &'static str {
    let mut head = Vec::with_capacity(8192);
    if File::open(path).and_then(|f| f.take(8192).read_to_end(&mut head)).is_err() {
        return "application/octet-stream";
    }
    if let Some(kind) = infer::get(&head) {
        return kind.mime_type();
    }
    let text = !head.contains(&0) && (std::str::from_utf8(&head).is_ok() || utf8_cut_at_end(&head));
    if text { "text/plain" } else { "application/octet-stream" }
}

/// Whether bytes are UTF-8 but for a character cut off at the end of the sample.
fn utf8_cut_at_end(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// A file name fit to store and offer: no folders, no control characters, no leading dots, at most 120
/// characters; `file` when nothing is left.
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?')).collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let short: String = trimmed.chars().take(120).collect();
    if short.is_empty() { "file".into() } else { short }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_recognised_by_their_magic() {
        assert!(executable_kind(b"MZ\x90\x00").is_some());
        assert!(executable_kind(b"\x7fELF").is_some());
        assert!(executable_kind(&[0xcf, 0xfa, 0xed, 0xfe]).is_some());
        assert!(executable_kind(b"PK\x03\x04").is_none());
        assert!(executable_kind(b"M").is_none());
    }

    #[test]
    fn names_lose_folders_and_tricks() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\slides.pdf"), "slides.pdf");
        assert_eq!(safe_file_name(".htaccess"), "htaccess");
        assert_eq!(safe_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(safe_file_name("../"), "file");
        assert_eq!(safe_file_name("発表資料.pdf"), "発表資料.pdf");
    }

    #[test]
    fn types_come_from_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pdf = dir.path().join("x.txt");
        std::fs::write(&pdf, b"%PDF-1.7\n...").expect("write");
        assert_eq!(media_type(&pdf), "application/pdf");
        let text = dir.path().join("x.pdf");
        std::fs::write(&text, "print('解析')\n").expect("write");
        assert_eq!(media_type(&text), "text/plain");
        let bin = dir.path().join("x.bin");
        std::fs::write(&bin, [0u8, 1, 2, 3, 255]).expect("write");
        assert_eq!(media_type(&bin), "application/octet-stream");
    }
}

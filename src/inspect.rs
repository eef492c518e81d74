//! What a file is, from its bytes, never from its name: executables (refused everywhere, however deep they
//! hide), the type shown to people, and safe names.
//!
//! `refusals` reads a file once, front to back, and looks at every byte of it and of everything packed in
//! it: zips (wherever they start, so a zip appended to a PDF is seen), gzip, bzip2 and xz streams, and tar
//! archives, nested up to `MAX_DEPTH` levels. Nothing is ever extracted or held whole: each compressed
//! stream is a push decoder fed as the bytes around it arrive, its output scanned the same way, and all the
//! decompressed bytes together are bounded by `MAX_EXPANDED`, so a zip or gzip bomb costs bounded time and
//! memory. What cannot be looked into within the bounds is refused with the bound it passed: a hostile file
//! cannot hide past a bound. Encrypted zip entries are not looked into and not refused: that is how samples
//! travel (password `infected`).
//!
//! Executables are found by their headers anywhere in a stream, not only at its start, and only a header
//! that parses as one counts (see `exe_at`): random bytes holding `MZ` or `\x7fELF` are not executables.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::LazyLock;

use memchr::memmem;

const MIB: u64 = 1024 * 1024;

/// How many archives and compressed streams deep a file is looked into: `a.zip → b.tar.gz` is three
/// (the zip's entry, the gzip stream, the tar's member). Real uploads need two or three.
pub const MAX_DEPTH: usize = 5;
/// How many bytes all the decompressed streams of one file may add up to (a bomb stops here).
pub const MAX_EXPANDED: u64 = 512 * MIB;
/// How many decoders may be open at once (nested streams and entries overlapping each other): a real
/// file needs one per level.
pub const MAX_OPEN: usize = 16;
/// How much memory the dictionaries of xz and LZMA streams may take together (`xz -9` needs 64 MiB).
pub const MAX_DICTIONARIES: u64 = 256 * MIB;
/// Named parts (stored zip entries, tar members) of one stream that may overlap a position: a real file
/// has one per level.
pub const MAX_OVERLAPPING: usize = 64;
/// Reasons given at most for one file; past them the inspection stops.
const MAX_REFUSALS: usize = 8;

/// Bytes kept after a position before candidates there are looked at: a zip local header with the longest
/// name and extra field, and more than a tar header (`ustar` sits 257 bytes into it) or a fat Mach-O header.
const LOOKAHEAD: u64 = 30 + 2 * 65_535 + 1024;
/// Bytes gathered past the lookahead before a stream is searched again.
const SCAN_STEP: u64 = 64 * 1024;
/// Searched bytes dropped from a stream's buffer once there are this many.
const TRIM: u64 = 256 * 1024;
/// Read size for the file, and output size for each decoder step.
const READ_CHUNK: usize = 1 << 20;
const OUT_CHUNK: usize = 64 * 1024;

/// The executables refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exe {
    Pe,
    Elf,
    MachO,
    MachOFat,
}

impl Exe {
    fn describe(self) -> &'static str {
        match self {
            Exe::Pe => "a PE (Windows) executable",
            Exe::Elf => "an ELF executable",
            Exe::MachO => "a Mach-O executable",
            Exe::MachOFat => "a Mach-O universal executable",
        }
    }
}

/// What begins a PE, ELF or Mach-O file (thin or fat), if these bytes begin one whose header parses.
pub fn executable_kind(head: &[u8]) -> Option<&'static str> {
    let pe = mz_points_to(head).and_then(|at| head.get(at..)).is_some_and(|nt| exe_at(Sig::Pe, nt).is_some());
    if pe {
        return Some(Exe::Pe.describe());
    }
    [Sig::Elf, Sig::MachO, Sig::Fat].into_iter().find_map(|sig| exe_at(sig, head)).map(Exe::describe)
}

/// Why a file may not be offered: it is or holds an executable (anywhere in it, or in the zips, tars and
/// compressed streams it holds, not encrypted), or it cannot be looked into within the bounds. Each reason
/// is a sentence naming where; none means the file is fine.
pub fn refusals(path: &Path) -> Vec<String> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return vec![format!("cannot be read: {e}")],
    };
    let mut sh = Shared::default();
    let mut root = Stream::new(Vec::new(), 0);
    let mut chunk = vec![0; READ_CHUNK];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => root.feed(&chunk[..n], &mut sh),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return vec![format!("cannot be read: {e}")],
        }
        if sh.stop {
            break;
        }
    }
    root.finish(&mut sh);
    sh.refusals
}

const SAMPLES_TRAVEL: &str = "executables travel only inside an encrypted zip (password infected)";

/// What one inspection shares across its streams: the reasons found and the bounds' counters.
#[derive(Default)]
struct Shared {
    refusals: Vec<String>,
    expanded: u64,
    open: usize,
    dictionaries: u64,
    stop: bool,
    /// One output buffer a depth: decoders at one depth never run at once, so they share it (a decoder
    /// started for every candidate stays cheap).
    scratch: Vec<Vec<u8>>,
}

impl Shared {
    fn refuse(&mut self, why: String) {
        if !self.refusals.contains(&why) {
            self.refusals.push(why);
        }
        if self.refusals.len() >= MAX_REFUSALS {
            self.stop = true;
        }
    }
}

/// The signatures searched for in every stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Sig {
    /// `PK`: a zip's local header, or another zip record that ends an entry of unknown size.
    Pk,
    Pe,
    Elf,
    MachO,
    Fat,
    Gzip,
    Bzip2,
    Xz,
    Tar,
}

/// Each signature's bytes and how far into what it marks they sit (`ustar` is 257 bytes into a tar header).
static NEEDLES: LazyLock<Vec<(Sig, memmem::Finder<'static>, u64)>> = LazyLock::new(|| {
    let needles: [(Sig, &'static [u8], u64); 13] = [
        (Sig::Pk, b"PK", 0),
        (Sig::Pe, b"PE\0\0", 0),
        (Sig::Elf, b"\x7fELF", 0),
        (Sig::MachO, b"\xfe\xed\xfa\xce", 0),
        (Sig::MachO, b"\xfe\xed\xfa\xcf", 0),
        (Sig::MachO, b"\xce\xfa\xed\xfe", 0),
        (Sig::MachO, b"\xcf\xfa\xed\xfe", 0),
        (Sig::Fat, b"\xca\xfe\xba\xbe", 0),
        (Sig::Fat, b"\xca\xfe\xba\xbf", 0),
        (Sig::Gzip, b"\x1f\x8b\x08", 0),
        (Sig::Bzip2, b"BZh", 0),
        (Sig::Xz, b"\xfd7zXZ\0", 0),
        (Sig::Tar, b"ustar", 257),
    ];
    needles.into_iter().map(|(sig, bytes, shift)| (sig, memmem::Finder::new(bytes), shift)).collect()
});

// Executable headers. The fields checked are the ones the loaders themselves check (Windows, Linux's
// binfmt_elf, XNU), no more: a stricter check (EI_VERSION, e_ehsize…) is one a hostile file could fail on
// purpose and still run. They are checked by hand rather than with `object` or `goblin`, which parse a
// whole file from one slice: here a header is seen in a window of a stream, and a few fixed fields are
// all it takes to tell a header from chance (the odds for random bytes are below 2^-50 a position).

fn u16_at(b: &[u8], at: usize, big: bool) -> Option<u16> {
    let bytes: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if big { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
}

fn u32_at(b: &[u8], at: usize, big: bool) -> Option<u32> {
    let bytes: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if big { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
}

fn u64_at(b: &[u8], at: usize, big: bool) -> Option<u64> {
    let bytes: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(if big { u64::from_be_bytes(bytes) } else { u64::from_le_bytes(bytes) })
}

/// Where the NT headers of a PE are, if these bytes begin with a DOS header (`MZ`, `e_lfanew` at 0x3c).
fn mz_points_to(b: &[u8]) -> Option<usize> {
    if !b.starts_with(b"MZ") {
        return None;
    }
    usize::try_from(u32_at(b, 0x3c, false)?).ok()
}

/// The machines of the COFF header (IMAGE_FILE_MACHINE_*) that Windows, UEFI or Windows CE run.
const PE_MACHINES: [u16; 18] = [
    0x014c, 0x8664, 0xaa64, 0xa641, 0x3a64, 0x01c0, 0x01c2, 0x01c4, 0x0200, 0x0ebc, 0x5032, 0x5064, 0x5128, 0x6232,
    0x6264, 0x0166, 0x01f0, 0x01a2,
];

/// Mach-O CPU types (without the 64-bit ABI bits): x86, ARM, PowerPC.
fn macho_cpu(cputype: u32) -> bool {
    matches!(cputype & 0x00ff_ffff, 7 | 12 | 18) && cputype >> 24 <= 2
}

/// The executable whose header begins these bytes, found by the signature `sig`.
/// - PE: the NT headers (`PE\0\0`, then a COFF header with a known machine, then an optional header of PE32
///   or PE32+), anchored there rather than at `MZ`: Windows takes an `e_lfanew` up to 256 MiB, which no
///   window could follow, while the NT headers themselves are unmistakable wherever they are.
/// - ELF: the magic, then either layout (32 or 64 bits) in either byte order with a type the kernel runs or
///   links (relocatable, executable, shared) and a machine, whose program (or for a relocatable, section)
///   header entries have their exact size. Linux reads the fields natively whatever `EI_CLASS`/`EI_DATA`
///   say, so those bytes are not trusted either way.
/// - Mach-O: a thin header with a known CPU, a file type and load commands; a fat header with 1 to 30
///   architectures (Java class files share the magic with a version of 45 and up there), the first one a
///   known CPU at a plausible offset.
fn exe_at(sig: Sig, b: &[u8]) -> Option<Exe> {
    match sig {
        Sig::Pe => {
            let valid = b.starts_with(b"PE\0\0")
                && PE_MACHINES.contains(&u16_at(b, 4, false)?)
                && matches!(u16_at(b, 24, false)?, 0x10b | 0x20b);
            valid.then_some(Exe::Pe)
        }
        Sig::Elf => {
            if !b.starts_with(b"\x7fELF") {
                return None;
            }
            // (offsets of e_phentsize, e_phnum, e_shentsize, e_shnum, their entry sizes)
            let layouts = [(42, 44, 46, 48, 32, 40), (54, 56, 58, 60, 56, 64)];
            let valid = layouts.iter().any(|&(phent, phnum, shent, shnum, ph_size, sh_size)| {
                [false, true].into_iter().any(|big| {
                    let field = |at| u16_at(b, at, big).unwrap_or(0);
                    let machine = field(18) != 0;
                    let runs = matches!(field(16), 2 | 3) && field(phnum) >= 1 && field(phent) == ph_size;
                    let links = field(16) == 1 && field(shnum) >= 1 && field(shent) == sh_size;
                    machine && (runs || links)
                })
            });
            valid.then_some(Exe::Elf)
        }
        Sig::MachO => {
            let big = b.starts_with(b"\xfe\xed\xfa");
            let valid = macho_cpu(u32_at(b, 4, big)?)
                && (1..=12).contains(&u32_at(b, 12, big)?)
                && u32_at(b, 16, big)? >= 1
                && u32_at(b, 20, big)? >= 8;
            valid.then_some(Exe::MachO)
        }
        Sig::Fat => {
            let arches = u32_at(b, 4, true)?;
            let wide = b.get(3) == Some(&0xbf);
            let (entry, offset) = if wide { (32, u64_at(b, 16, true)?) } else { (20, u64::from(u32_at(b, 16, true)?)) };
            let valid =
                (1..=30).contains(&arches) && macho_cpu(u32_at(b, 8, true)?) && offset >= 8 + u64::from(arches) * entry;
            valid.then_some(Exe::MachOFat)
        }
        _ => None,
    }
}

/// A zip local file header (`PK\3\4`): the entry's name, how it is stored, where its data begins.
struct LocalHeader {
    name: String,
    flags: u16,
    method: u16,
    compressed: u64,
    size: u64,
    len: u64,
}

/// The compression methods of zip entries known (stored, the PKWARE ones, bzip2, LZMA, zstd, xz, …, AES).
fn zip_method_known(method: u16) -> bool {
    matches!(method, 0..=14 | 18 | 19 | 93..=99)
}

impl LocalHeader {
    /// The header at the start of `b`, if it is one and all of it is there.
    fn parse(b: &[u8]) -> Option<LocalHeader> {
        if !b.starts_with(b"PK\x03\x04") {
            return None;
        }
        let method = u16_at(b, 8, false)?;
        if !zip_method_known(method) {
            return None;
        }
        let name_len = usize::from(u16_at(b, 26, false)?);
        let extra_len = usize::from(u16_at(b, 28, false)?);
        let name = b.get(30..30 + name_len)?;
        let extra = b.get(30 + name_len..30 + name_len + extra_len)?;
        let (mut compressed, mut size) = (u64::from(u32_at(b, 18, false)?), u64::from(u32_at(b, 22, false)?));
        if compressed == u64::from(u32::MAX) || size == u64::from(u32::MAX) {
            // Zip64: the sizes that do not fit are in the extra field 0x0001, the uncompressed one first.
            let mut rest = extra;
            while let (Some(id), Some(len)) = (u16_at(rest, 0, false), u16_at(rest, 2, false)) {
                let data = rest.get(4..4 + usize::from(len)).unwrap_or_default();
                if id == 1 {
                    let mut at = 0;
                    if size == u64::from(u32::MAX) {
                        size = u64_at(data, at, false).unwrap_or(size);
                        at += 8;
                    }
                    if compressed == u64::from(u32::MAX) {
                        compressed = u64_at(data, at, false).unwrap_or(compressed);
                    }
                }
                rest = rest.get(4 + usize::from(len)..).unwrap_or_default();
            }
        }
        Some(LocalHeader {
            name: String::from_utf8_lossy(name).into_owned(),
            flags: u16_at(b, 6, false)?,
            method,
            compressed,
            size,
            len: (30 + name_len + extra_len) as u64,
        })
    }
}

/// Whether 512 bytes are a tar header: its checksum (the sum of its bytes with the checksum field as spaces,
/// unsigned or, as old tars wrote it, signed) is the one written in it.
fn tar_header(b: &[u8]) -> Option<tar::Header> {
    let block = b.get(..512)?;
    let field = std::str::from_utf8(&block[148..156]).ok()?;
    let written = i64::from_str_radix(field.trim_matches(|c: char| c == ' ' || c == '\0'), 8).ok()?;
    let sum = |signed: bool| -> i64 {
        let byte = |(i, &x): (usize, &u8)| match (i, signed) {
            (148..156, _) => i64::from(b' '),
            (_, true) => i64::from(x as i8),
            (_, false) => i64::from(x),
        };
        block.iter().enumerate().map(byte).sum()
    };
    if written != sum(false) && written != sum(true) {
        return None;
    }
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(block);
    Some(header)
}

/// How long a gzip member's header is, once all of it is there; `Some(Err)` if these bytes are not one.
fn gzip_header_len(h: &[u8]) -> Option<Result<usize, ()>> {
    if h.iter().zip([0x1f, 0x8b, 8]).any(|(a, b)| *a != b) || h.get(3).is_some_and(|flags| flags & 0xe0 != 0) {
        return Some(Err(()));
    }
    let flags = *h.get(3)?;
    let mut at = 10;
    if flags & 4 != 0 {
        at += 2 + usize::from(u16_at(h, at, false)?);
    }
    for zero_ended in [8, 16] {
        if flags & zero_ended != 0 {
            at += memchr::memchr(0, h.get(at..)?)? + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    (h.len() >= at).then_some(Ok(at))
}

/// The longest gzip header taken (a name and a comment of any length are allowed; nobody writes 64 KiB).
const MAX_GZIP_HEADER: usize = 64 * 1024;

/// Which kind of stream a decoder reads, so that a stream's later members (concatenated gzip members,
/// bzip2 streams) are not decoded again on their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Deflate,
    Gzip,
    Bzip2,
    Xz,
    Lzma,
}

/// A push decoder: fed input as it comes, its output handed on.
enum Decoder {
    Deflate(Box<flate2::Decompress>),
    Deflate64(Box<deflate64::InflaterManaged>),
    Gzip(Box<Gzip>),
    Bzip2(Box<Bzip2>),
    Xz(Box<lzma_rust2::XzStream>),
    Lzma(Box<Lzma>),
}

/// A gzip stream of one or more members, each a header, deflate data and an eight-byte trailer.
struct Gzip {
    inflate: flate2::Decompress,
    phase: GzipPhase,
    header: Vec<u8>,
    members: u32,
}

enum GzipPhase {
    Header,
    Body,
    Trailer(usize),
}

/// A bzip2 file of one or more streams (as parallel compressors write them).
struct Bzip2 {
    stream: Option<bzip2::Decompress>,
    magic: Vec<u8>,
}

/// A zip entry compressed with LZMA: a nine-byte header (version, properties), then raw LZMA data.
struct Lzma {
    header: Vec<u8>,
    size: u64,
    stream: Option<lzma_rust2::LzmaStream>,
    need: u64,
}

struct Step {
    used: usize,
    made: usize,
    ended: bool,
}

fn step(used: usize, made: usize, ended: bool) -> io::Result<Step> {
    Ok(Step { used, made, ended })
}

fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes / 1024).unwrap_or(u32::MAX)
}

fn too_much_memory() -> io::Error {
    io::Error::new(io::ErrorKind::OutOfMemory, "dictionary over the bound")
}

fn inflate(d: &mut flate2::Decompress, input: &[u8], out: &mut [u8]) -> io::Result<(usize, usize, bool)> {
    let (was_in, was_out) = (d.total_in(), d.total_out());
    let status = d.decompress(input, out, flate2::FlushDecompress::None).map_err(io::Error::other)?;
    Ok(((d.total_in() - was_in) as usize, (d.total_out() - was_out) as usize, status == flate2::Status::StreamEnd))
}

impl Decoder {
    fn family(&self) -> Family {
        match self {
            Decoder::Deflate(_) | Decoder::Deflate64(_) => Family::Deflate,
            Decoder::Gzip(_) => Family::Gzip,
            Decoder::Bzip2(_) => Family::Bzip2,
            Decoder::Xz(_) => Family::Xz,
            Decoder::Lzma(_) => Family::Lzma,
        }
    }

    fn gzip() -> Decoder {
        Decoder::Gzip(Box::new(Gzip {
            inflate: flate2::Decompress::new(false),
            phase: GzipPhase::Header,
            header: Vec::new(),
            members: 0,
        }))
    }

    fn bzip2() -> Decoder {
        Decoder::Bzip2(Box::new(Bzip2 { stream: None, magic: Vec::new() }))
    }

    fn xz() -> Decoder {
        Decoder::Xz(Box::new(lzma_rust2::XzStream::new_mem_limit(true, kib(MAX_DICTIONARIES))))
    }

    /// The memory its dictionary takes, once known.
    fn dictionary(&self) -> u64 {
        match self {
            Decoder::Xz(xz) => u64::from(xz.memory_usage().unwrap_or(0)) * 1024,
            Decoder::Lzma(lzma) => lzma.need,
            _ => 0,
        }
    }

    /// Decodes from `input` into `out`, with at most `memory` bytes for a dictionary.
    fn step(&mut self, input: &[u8], out: &mut [u8], memory: u64) -> io::Result<Step> {
        match self {
            Decoder::Deflate(d) => {
                let (used, made, ended) = inflate(d, input, out)?;
                step(used, made, ended)
            }
            Decoder::Deflate64(d) => {
                let r = d.inflate(input, out);
                if r.data_error {
                    return Err(io::Error::other("bad deflate64 data"));
                }
                step(r.bytes_consumed, r.bytes_written, d.finished())
            }
            Decoder::Gzip(g) => match g.phase {
                GzipPhase::Header => {
                    let had = g.header.len();
                    let take = input.len().min(MAX_GZIP_HEADER - had);
                    g.header.extend_from_slice(&input[..take]);
                    match gzip_header_len(&g.header) {
                        Some(Ok(len)) => {
                            g.phase = GzipPhase::Body;
                            g.header.clear();
                            g.inflate.reset(false);
                            step(len - had, 0, false)
                        }
                        // Bytes after a member that begin no other: the stream has ended.
                        Some(Err(())) if g.members > 0 => step(0, 0, true),
                        Some(Err(())) => Err(io::Error::other("not a gzip header")),
                        None if g.header.len() >= MAX_GZIP_HEADER => Err(io::Error::other("gzip header too long")),
                        None => step(take, 0, false),
                    }
                }
                GzipPhase::Body => {
                    let (used, made, ended) = inflate(&mut g.inflate, input, out)?;
                    if ended {
                        g.phase = GzipPhase::Trailer(8);
                        g.members += 1;
                    }
                    step(used, made, false)
                }
                GzipPhase::Trailer(left) => {
                    let used = input.len().min(left);
                    g.phase = if used == left { GzipPhase::Header } else { GzipPhase::Trailer(left - used) };
                    step(used, 0, false)
                }
            },
            Decoder::Bzip2(b) => match &mut b.stream {
                None => {
                    let take = input.len().min(4 - b.magic.len());
                    b.magic.extend_from_slice(&input[..take]);
                    if b.magic.len() < 4 {
                        return step(take, 0, false);
                    }
                    if !(b.magic.starts_with(b"BZh") && (b'1'..=b'9').contains(&b.magic[3])) {
                        return step(0, 0, true);
                    }
                    let mut stream = bzip2::Decompress::new(false);
                    stream.decompress(&b.magic, out).map_err(io::Error::other)?;
                    b.magic.clear();
                    b.stream = Some(stream);
                    step(take, 0, false)
                }
                Some(stream) => {
                    let (was_in, was_out) = (stream.total_in(), stream.total_out());
                    let status = stream.decompress(input, out).map_err(io::Error::other)?;
                    let (used, made) = ((stream.total_in() - was_in) as usize, (stream.total_out() - was_out) as usize);
                    match status {
                        bzip2::Status::StreamEnd => b.stream = None,
                        bzip2::Status::MemNeeded => return Err(too_much_memory()),
                        _ => {}
                    }
                    step(used, made, false)
                }
            },
            Decoder::Xz(xz) => {
                xz.set_mem_limit(kib(memory));
                let r = xz.process(input, out, lzma_rust2::Action::Run)?;
                step(r.bytes_consumed, r.bytes_produced, r.status == lzma_rust2::Status::StreamEnd)
            }
            Decoder::Lzma(l) => match &mut l.stream {
                None => {
                    let take = input.len().min(9 - l.header.len());
                    l.header.extend_from_slice(&input[..take]);
                    if l.header.len() < 9 {
                        return step(take, 0, false);
                    }
                    if u16_at(&l.header, 2, false) != Some(5) {
                        return Err(io::Error::other("bad LZMA properties"));
                    }
                    let (props, dict) = (l.header[4], u32_at(&l.header, 5, false).unwrap_or(u32::MAX));
                    let need = u64::from(lzma_rust2::lzma_get_memory_usage_by_props(dict, props)?) * 1024;
                    if need > memory {
                        return Err(too_much_memory());
                    }
                    l.need = need;
                    l.stream = Some(lzma_rust2::LzmaStream::new_with_props(l.size, props, dict, None)?);
                    step(take, 0, false)
                }
                Some(stream) => {
                    let r = stream.process(input, out, lzma_rust2::Action::Run)?;
                    step(r.bytes_consumed, r.bytes_produced, r.status == lzma_rust2::Status::StreamEnd)
                }
            },
        }
    }
}

/// A part of a stream with a name of its own: a stored zip entry or a tar member, whose bytes are the
/// stream's own (so they are searched with it) but whose place is named after it.
struct Range {
    /// The name as a step of a path, e.g. `"evil.exe"` or `(zip at byte 1033) → "evil.exe"`.
    name: String,
    /// Where it ends, unless unknown yet (a stored entry with a data descriptor).
    end: Option<u64>,
    ctx: Ctx,
}

/// Where names are counted from: a whole stream or a range. Zips and tars are recorded where they start
/// in it, to say "(zip at byte N)" when one does not start at its beginning.
struct Ctx {
    start: u64,
    /// Its first bytes: an `MZ` there tells the offset of the PE its NT headers belong to.
    head: Vec<u8>,
    zip_at: Option<u64>,
    tar_at: Option<u64>,
}

impl Ctx {
    fn new(start: u64) -> Ctx {
        Ctx { start, head: Vec::new(), zip_at: None, tar_at: None }
    }
}

/// A decoder reading a stream from `begin`, with the stream it decodes into.
struct Child {
    begin: u64,
    fed: u64,
    decoder: Decoder,
    dictionary: u64,
    stream: Box<Stream>,
}

impl Child {
    /// Feeds it `input` (the next bytes of its parent); false once it has ended.
    fn push(&mut self, input: &[u8], sh: &mut Shared) -> bool {
        let depth = self.stream.depth;
        if sh.scratch.len() <= depth {
            sh.scratch.resize_with(depth + 1, Vec::new);
        }
        let mut out = std::mem::take(&mut sh.scratch[depth]);
        out.resize(OUT_CHUNK, 0);
        let alive = self.decode(input, &mut out, sh);
        sh.scratch[depth] = out;
        alive
    }

    fn decode(&mut self, mut input: &[u8], out: &mut [u8], sh: &mut Shared) -> bool {
        loop {
            if sh.stop {
                return false;
            }
            let memory = MAX_DICTIONARIES.saturating_sub(sh.dictionaries - self.dictionary);
            let result = self.decoder.step(input, out, memory);
            let now = self.decoder.dictionary();
            sh.dictionaries = sh.dictionaries - self.dictionary + now;
            self.dictionary = now;
            let Step { used, made, ended } = match result {
                Ok(step) => step,
                Err(e) if e.kind() == io::ErrorKind::OutOfMemory => {
                    sh.refuse(format!(
                        "holds {} that needs more than {} MiB of memory to decompress: too much to be looked into",
                        self.stream.place(),
                        MAX_DICTIONARIES / MIB
                    ));
                    return false;
                }
                // Corrupt data: what came out of it has been searched, and no tool gets further.
                Err(_) => return false,
            };
            self.fed += used as u64;
            input = &input[used..];
            if made > 0 {
                sh.expanded += made as u64;
                if sh.expanded > MAX_EXPANDED {
                    sh.refuse(format!(
                        "expands to more than {} MiB (at {}): too much to be looked into",
                        MAX_EXPANDED / MIB,
                        self.stream.place()
                    ));
                    sh.stop = true;
                    return false;
                }
                self.stream.feed(&out[..made], sh);
            }
            if ended {
                return false;
            }
            if (input.is_empty() && made < out.len()) || (used == 0 && made == 0) {
                return true;
            }
        }
    }

    /// Ends it; what it read, if a later member of its stream could be mistaken for a stream of its own.
    fn close(mut self, sh: &mut Shared) -> Option<(Family, u64, u64)> {
        self.stream.finish(sh);
        sh.open -= 1;
        sh.dictionaries -= self.dictionary;
        let family = self.decoder.family();
        matches!(family, Family::Gzip | Family::Bzip2 | Family::Xz).then_some((family, self.begin, self.fed))
    }
}

/// One byte stream (the file, or what a decoder makes), searched as it arrives.
struct Stream {
    /// Where it is: the steps from the file to it.
    path: Vec<String>,
    depth: usize,
    /// Its bytes from `base` on; those before `next` have been searched.
    buf: Vec<u8>,
    base: u64,
    next: u64,
    root: Ctx,
    ranges: Vec<Range>,
    children: Vec<Child>,
    /// The parts already read by decoders that have ended: (family, from, to).
    claims: Vec<(Family, u64, u64)>,
    /// A tar member's long name (GNU or pax), for the header after it.
    tar_name: Option<String>,
}

fn quoted(name: &str) -> String {
    let short: String = name.chars().take(100).collect();
    format!("{short:?}")
}

impl Stream {
    fn new(path: Vec<String>, depth: usize) -> Stream {
        Stream {
            path,
            depth,
            buf: Vec::new(),
            base: 0,
            next: 0,
            root: Ctx::new(0),
            ranges: Vec::new(),
            children: Vec::new(),
            claims: Vec::new(),
            tar_name: None,
        }
    }

    fn end(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Its path as people read it.
    fn place(&self) -> String {
        self.path.join(" → ")
    }

    fn feed(&mut self, data: &[u8], sh: &mut Shared) {
        if sh.stop || data.is_empty() {
            return;
        }
        let from = self.buf.len();
        self.buf.extend_from_slice(data);
        if self.base == 0 && self.root.head.len() < 64 {
            self.root.head = self.buf[..self.buf.len().min(64)].to_vec();
        }
        let mut i = 0;
        while i < self.children.len() {
            if self.children[i].push(&self.buf[from..], sh) {
                i += 1;
            } else {
                let claim = self.children.swap_remove(i).close(sh);
                self.claims.extend(claim);
            }
        }
        if self.end() >= self.next + LOOKAHEAD + SCAN_STEP {
            self.search(self.end() - LOOKAHEAD, sh);
        }
    }

    /// The end of the stream: what is left is searched and every decoder closed.
    fn finish(&mut self, sh: &mut Shared) {
        if !sh.stop {
            self.search(self.end(), sh);
        }
        for child in std::mem::take(&mut self.children) {
            child.close(sh);
        }
    }

    /// Looks at every signature starting before `limit`, in order.
    fn search(&mut self, limit: u64, sh: &mut Shared) {
        let from = (self.next - self.base) as usize;
        let to = (limit - self.base) as usize;
        let mut found = Vec::new();
        for (sig, finder, shift) in NEEDLES.iter() {
            let shift = *shift as usize;
            let Some(hay) = self.buf.get(from + shift..(to + shift + finder.needle().len() - 1).min(self.buf.len()))
            else {
                continue;
            };
            found.extend(
                finder.find_iter(hay).filter(|at| from + at < to).map(|at| (self.base + (from + at) as u64, *sig)),
            );
        }
        found.sort_unstable();
        for (at, sig) in found {
            if sh.stop {
                return;
            }
            self.candidate(at, sig, sh);
        }
        self.next = limit;
        self.ranges.retain(|r| r.end.is_none_or(|end| end > limit));
        self.claims.retain(|&(_, _, to)| to > limit);
        if self.next - self.base >= TRIM {
            self.buf.drain(..(self.next - self.base) as usize);
            self.base = self.next;
        }
    }

    /// The ranges holding a position, outermost first.
    fn chain(&self, at: u64) -> Vec<usize> {
        let mut chain: Vec<usize> = (0..self.ranges.len())
            .filter(|&i| self.ranges[i].ctx.start <= at && self.ranges[i].end.is_none_or(|end| at < end))
            .collect();
        chain.sort_by_key(|&i| self.ranges[i].ctx.start);
        chain
    }

    /// The path to a position, and the context it is in (None: the stream itself).
    fn path_to(&self, chain: &[usize]) -> Vec<String> {
        self.path.iter().cloned().chain(chain.iter().map(|&i| self.ranges[i].name.clone())).collect()
    }

    fn ctx(&mut self, chain: &[usize]) -> &mut Ctx {
        match chain.last() {
            Some(&i) => &mut self.ranges[i].ctx,
            None => &mut self.root,
        }
    }

    fn candidate(&mut self, at: u64, sig: Sig, sh: &mut Shared) {
        self.ranges.retain(|r| r.end.is_none_or(|end| end > at));
        let b = &self.buf[(at - self.base) as usize..];
        match sig {
            Sig::Pe | Sig::Elf | Sig::MachO | Sig::Fat => {
                if let Some(exe) = exe_at(sig, b) {
                    self.executable(at, exe, sh);
                }
            }
            Sig::Pk => match b.get(2..4) {
                Some(b"\x03\x04") => {
                    if let Some(header) = LocalHeader::parse(b) {
                        self.zip_entry(at, header, sh);
                    }
                }
                Some(b"\x01\x02" | b"\x05\x06" | b"\x07\x08") => {
                    // Past the data of an entry of unknown size; an end of central directory ends its zip.
                    for r in self.ranges.iter_mut().filter(|r| r.end.is_none() && r.ctx.start <= at) {
                        r.end = Some(at);
                    }
                    if b.get(2..4) == Some(b"\x05\x06") {
                        let chain = self.chain(at);
                        self.ctx(&chain).zip_at = None;
                    }
                }
                _ => {}
            },
            Sig::Gzip | Sig::Bzip2 | Sig::Xz => {
                let plausible = match sig {
                    Sig::Gzip => gzip_header_len(b).is_none_or(|len| len.is_ok()),
                    Sig::Bzip2 => {
                        (b'1'..=b'9').contains(&b.get(3).copied().unwrap_or(0))
                            && matches!(b.get(4..10), Some(b"\x31\x41\x59\x26\x53\x59" | b"\x17\x72\x45\x38\x50\x90"))
                    }
                    _ => b.get(6) == Some(&0) && b.get(7).is_some_and(|check| check & 0xf0 == 0),
                };
                let (family, decoder, label) = match sig {
                    Sig::Gzip => (Family::Gzip, Decoder::gzip as fn() -> Decoder, "gzip"),
                    Sig::Bzip2 => (Family::Bzip2, Decoder::bzip2 as fn() -> Decoder, "bzip2"),
                    _ => (Family::Xz, Decoder::xz as fn() -> Decoder, "xz"),
                };
                if plausible && !self.claimed(family, at) {
                    let chain = self.chain(at);
                    let start = self.ctx(&chain).start;
                    let name =
                        if at == start { format!("({label})") } else { format!("({label} at byte {})", at - start) };
                    self.spawn(at, name, decoder(), &chain, sh);
                }
            }
            Sig::Tar => {
                if let Some(header) = tar_header(b) {
                    self.tar_member(at, &header, sh);
                }
            }
        }
    }

    /// Whether a decoder of this family has read (or is reading) this position: a later member of its stream.
    fn claimed(&mut self, family: Family, at: u64) -> bool {
        // Candidates come in order: what ended before this one never claims a later one.
        self.claims.retain(|&(_, _, to)| to > at);
        let reading = self.children.iter().map(|c| (c.decoder.family(), c.begin, c.begin + c.fed));
        reading.chain(self.claims.iter().copied()).any(|(f, from, to)| f == family && from <= at && at < to)
    }

    fn executable(&mut self, at: u64, exe: Exe, sh: &mut Shared) {
        let chain = self.chain(at);
        let path = self.path_to(&chain);
        let ctx = self.ctx(&chain);
        let mut offset = at - ctx.start;
        if exe == Exe::Pe && mz_points_to(&ctx.head) == usize::try_from(offset).ok() {
            offset = 0;
        }
        let kind = exe.describe();
        sh.refuse(match (path.is_empty(), offset) {
            (true, 0) => format!("is {kind}: {SAMPLES_TRAVEL}"),
            (true, n) => format!("holds {kind} at byte {n}: {SAMPLES_TRAVEL}"),
            (false, 0) => format!("holds {kind} in {}: {SAMPLES_TRAVEL}", path.join(" → ")),
            (false, n) => format!("holds {kind} in {} at byte {n}: {SAMPLES_TRAVEL}", path.join(" → ")),
        });
    }

    fn zip_entry(&mut self, at: u64, h: LocalHeader, sh: &mut Shared) {
        let chain = self.chain(at);
        let ctx = self.ctx(&chain);
        let zip_at = *ctx.zip_at.get_or_insert(at);
        let name = if zip_at == ctx.start {
            quoted(&h.name)
        } else {
            format!("(zip at byte {}) → {}", zip_at - ctx.start, quoted(&h.name))
        };
        let data = at + h.len;
        if h.flags & 1 != 0 {
            // Encrypted: not looked into, not refused.
            return;
        }
        let decoder = match h.method {
            0 => {
                let known = h.flags & 8 == 0 || h.compressed > 0;
                if !known || h.compressed > 0 {
                    self.add_range(name, data, known.then_some(data + h.compressed), &chain, sh);
                }
                return;
            }
            8 => Decoder::Deflate(Box::new(flate2::Decompress::new(false))),
            9 => Decoder::Deflate64(Box::new(deflate64::InflaterManaged::new())),
            12 => Decoder::bzip2(),
            14 => {
                // Bit 1: the data ends with an end marker, so its size is not needed.
                let size = if h.flags & 2 != 0 || h.size == 0 { u64::MAX } else { h.size };
                Decoder::Lzma(Box::new(Lzma { header: Vec::new(), size, stream: None, need: 0 }))
            }
            95 => Decoder::xz(),
            method => {
                let mut path = self.path_to(&chain);
                path.push(name);
                sh.refuse(format!(
                    "holds {} compressed with zip method {method}, which cannot be looked into: use deflate, \
                     or an encrypted zip (password infected)",
                    path.join(" → ")
                ));
                return;
            }
        };
        self.spawn(data, name, decoder, &chain, sh);
    }

    fn tar_member(&mut self, at: u64, header: &tar::Header, sh: &mut Shared) {
        let Ok(size) = header.entry_size() else { return };
        let data = at + 512;
        let kind = header.entry_type();
        let chain = self.chain(at);
        let ctx = self.ctx(&chain);
        let tar_at = *ctx.tar_at.get_or_insert(at);
        let start = ctx.start;
        let content = || {
            let from = (data - self.base) as usize;
            self.buf.get(from..from + usize::try_from(size).unwrap_or(usize::MAX).min(64 * 1024))
        };
        if kind.is_gnu_longname() {
            self.tar_name = content().map(|b| String::from_utf8_lossy(b).trim_end_matches('\0').to_owned());
            return;
        }
        if kind.is_pax_local_extensions() {
            let path = content().and_then(|b| {
                tar::PaxExtensions::new(b)
                    .flatten()
                    .find(|e| e.key() == Ok("path"))
                    .map(|e| String::from_utf8_lossy(e.value_bytes()).into_owned())
            });
            self.tar_name = path.or(self.tar_name.take());
            return;
        }
        let name = self.tar_name.take().unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
        if size == 0 || kind.is_pax_global_extensions() || kind.is_gnu_longlink() {
            return;
        }
        let name = if tar_at == start {
            quoted(&name)
        } else {
            format!("(tar at byte {}) → {}", tar_at - start, quoted(&name))
        };
        self.add_range(name, data, Some(data + size), &chain, sh);
    }

    /// Refuses what lies deeper than `MAX_DEPTH`; true if a step below `chain` may be taken.
    fn may_descend(&self, name: &str, chain: &[usize], sh: &mut Shared) -> bool {
        if self.depth + chain.len() < MAX_DEPTH {
            return true;
        }
        let mut path = self.path_to(chain);
        path.push(name.to_owned());
        sh.refuse(format!(
            "holds archives or compressed streams nested deeper than {MAX_DEPTH} levels (at {}): too deep to be \
             looked into",
            path.join(" → ")
        ));
        false
    }

    fn add_range(&mut self, name: String, start: u64, end: Option<u64>, chain: &[usize], sh: &mut Shared) {
        if !self.may_descend(&name, chain, sh) {
            return;
        }
        if self.ranges.len() >= MAX_OVERLAPPING {
            let mut path = self.path_to(chain);
            path.push(name);
            sh.refuse(format!(
                "holds more than {MAX_OVERLAPPING} archive members overlapping each other (at {}): too many to be \
                 looked into",
                path.join(" → ")
            ));
            return;
        }
        let mut ctx = Ctx::new(start);
        if let Some(head) = start.checked_sub(self.base).and_then(|from| self.buf.get(from as usize..)) {
            ctx.head = head[..head.len().min(64)].to_vec();
        }
        self.ranges.push(Range { name, end, ctx });
    }

    /// Starts a decoder at `begin`, fed at once what the buffer holds from there.
    fn spawn(&mut self, begin: u64, name: String, decoder: Decoder, chain: &[usize], sh: &mut Shared) {
        if !self.may_descend(&name, chain, sh) {
            return;
        }
        let mut path = self.path_to(chain);
        path.push(name);
        if sh.open >= MAX_OPEN {
            sh.refuse(format!(
                "holds more than {MAX_OPEN} compressed streams open at once (at {}): too many to be looked into",
                path.join(" → ")
            ));
            return;
        }
        sh.open += 1;
        let depth = self.depth + chain.len() + 1;
        let mut child = Child { begin, fed: 0, decoder, dictionary: 0, stream: Box::new(Stream::new(path, depth)) };
        let held = begin.checked_sub(self.base).and_then(|from| self.buf.get(from as usize..)).unwrap_or_default();
        if child.push(held, sh) {
            self.children.push(child);
        } else {
            let claim = child.close(sh);
            self.claims.extend(claim);
        }
    }
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

/// The smallest headers that parse as executables, for tests here and in `tests/` (building them beats
/// committing executables, which the project's own checks would refuse).
#[doc(hidden)]
pub mod samples {
    /// A DOS header pointing at NT headers of an i386 PE32, and nothing else.
    pub fn pe() -> Vec<u8> {
        let mut b = vec![0u8; 0x200];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        b[0x80..0x84].copy_from_slice(b"PE\0\0");
        b[0x84..0x86].copy_from_slice(&0x014cu16.to_le_bytes());
        b[0x86..0x88].copy_from_slice(&1u16.to_le_bytes());
        b[0x94..0x96].copy_from_slice(&0xe0u16.to_le_bytes());
        b[0x96..0x98].copy_from_slice(&0x0102u16.to_le_bytes());
        b[0x98..0x9a].copy_from_slice(&0x010bu16.to_le_bytes());
        b
    }

    /// An x86-64 ELF header with one program header.
    pub fn elf() -> Vec<u8> {
        let mut b = vec![0u8; 64 + 56];
        b[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\x00");
        b[16..18].copy_from_slice(&2u16.to_le_bytes());
        b[18..20].copy_from_slice(&0x3eu16.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[52..54].copy_from_slice(&64u16.to_le_bytes());
        b[54..56].copy_from_slice(&56u16.to_le_bytes());
        b[56..58].copy_from_slice(&1u16.to_le_bytes());
        b
    }

    /// An arm64 Mach-O executable header with one load command.
    pub fn macho() -> Vec<u8> {
        let mut b = vec![0u8; 32 + 8];
        b[..4].copy_from_slice(b"\xcf\xfa\xed\xfe");
        b[4..8].copy_from_slice(&0x0100_000cu32.to_le_bytes());
        b[12..16].copy_from_slice(&2u32.to_le_bytes());
        b[16..20].copy_from_slice(&1u32.to_le_bytes());
        b[20..24].copy_from_slice(&8u32.to_le_bytes());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_recognised_by_their_magic() {
        assert!(executable_kind(b"MZ\x90\x00").is_none(), "MZ alone is no PE");
        assert!(executable_kind(b"\x7fELF").is_none(), "nor is the ELF magic alone");
        assert_eq!(executable_kind(&samples::pe()), Some("a PE (Windows) executable"));
        assert_eq!(executable_kind(&samples::elf()), Some("an ELF executable"));
        assert_eq!(executable_kind(&samples::macho()), Some("a Mach-O executable"));
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

    use std::io::Write;

    use rand::{Rng, SeedableRng};
    use zip::CompressionMethod::{Deflated, Stored};

    fn check(bytes: &[u8]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("upload");
        std::fs::write(&path, bytes).expect("write");
        refusals(&path)
    }

    fn refused_with(bytes: &[u8], expected: &str) {
        let why = check(bytes);
        assert!(why.iter().any(|w| w.contains(expected)), "expected {expected:?} in {why:?}");
    }

    fn random(len: usize, seed: u64) -> Vec<u8> {
        let mut bytes = vec![0u8; len];
        rand::rngs::StdRng::seed_from_u64(seed).fill(&mut bytes[..]);
        bytes
    }

    fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).expect("zip");
            zip.write_all(bytes).expect("zip");
        }
        zip.finish().expect("zip");
        out.into_inner()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).expect("gzip");
        gz.finish().expect("gzip")
    }

    fn tar_of(name: &str, bytes: &[u8]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o755);
        tar.append_data(&mut header, "docs/readme.txt", &b"nothing to see"[..]).expect("tar");
        header.set_size(bytes.len() as u64);
        tar.append_data(&mut header, name, bytes).expect("tar");
        tar.into_inner().expect("tar")
    }

    /// `bytes` with an executable's header spliced in at `at`.
    fn with_at(mut bytes: Vec<u8>, exe: &[u8], at: usize) -> Vec<u8> {
        bytes[at..at + exe.len()].copy_from_slice(exe);
        bytes
    }

    #[test]
    fn executables_are_found_anywhere_in_a_file() {
        assert_eq!(check(&samples::pe()), ["is a PE (Windows) executable: ".to_owned() + SAMPLES_TRAVEL]);
        refused_with(&samples::elf(), "is an ELF executable");
        refused_with(&samples::macho(), "is a Mach-O executable");
        // In the middle of other bytes, across the file's reads and the buffer's searches too.
        let noise = random(3 << 20, 1);
        for at in [1000, READ_CHUNK - 7, READ_CHUNK + 1, (3 << 20) - 200] {
            refused_with(
                &with_at(noise.clone(), &samples::elf(), at),
                &format!("holds an ELF executable at byte {at}"),
            );
        }
        refused_with(&with_at(noise.clone(), &samples::pe(), 4096), "holds a PE (Windows) executable at byte 4224");
        refused_with(&with_at(noise, &samples::macho(), 77), "holds a Mach-O executable at byte 77");
    }

    #[test]
    fn bytes_that_only_look_like_a_magic_pass() {
        let mut bytes = random(2 << 20, 2);
        for at in (0..bytes.len() - 8).step_by(1001) {
            let magic: &[u8] = match at % 4 {
                0 => b"MZ\x90\0",
                1 => b"\x7fELF",
                2 => b"PE\0\0",
                _ => b"\xcf\xfa\xed\xfe",
            };
            bytes[at..at + magic.len()].copy_from_slice(magic);
        }
        assert_eq!(check(&bytes), Vec::<String>::new());
        assert_eq!(check(b"MZ\x90\0 not really a program"), Vec::<String>::new());
    }

    #[test]
    fn a_zip_in_a_zip_is_looked_into() {
        for method in [Deflated, Stored] {
            let inner = zip_of(&[("notes.txt", b"hello"), ("evil.exe", &samples::pe())], method);
            let outer = zip_of(&[("readme.md", b"# hi"), ("inner.zip", &inner)], method);
            assert_eq!(
                check(&outer),
                [format!("holds a PE (Windows) executable in \"inner.zip\" → \"evil.exe\": {SAMPLES_TRAVEL}")],
                "{method:?}"
            );
        }
    }

    #[test]
    fn a_zip_inside_a_pdf_is_found_where_it_starts() {
        let zip = zip_of(&[("evil.exe", &samples::pe())], Deflated);
        let mut polyglot = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n".to_vec();
        polyglot.extend(random(5000, 3));
        let at = polyglot.len();
        polyglot.extend(&zip);
        // More than the 64 KiB in which a zip reader looks for the end of a zip.
        polyglot.extend(random(100_000, 4));
        polyglot.extend(b"%%EOF\n");
        refused_with(&polyglot, &format!("in (zip at byte {at}) → \"evil.exe\""));
    }

    #[test]
    fn compressed_streams_are_looked_through() {
        assert_eq!(
            check(&gzip(&samples::pe())),
            [format!("holds a PE (Windows) executable in (gzip): {SAMPLES_TRAVEL}")]
        );
        let tar = tar_of("bin/tool", &samples::elf());
        refused_with(&tar, "holds an ELF executable in \"bin/tool\"");
        refused_with(&gzip(&tar), "holds an ELF executable in (gzip) → \"bin/tool\"");
        let mut xz = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("xz");
        xz.write_all(&tar).expect("xz");
        refused_with(&xz.finish().expect("xz"), "holds an ELF executable in (xz) → \"bin/tool\"");
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(&tar).expect("bzip2");
        refused_with(&bz.finish().expect("bzip2"), "holds an ELF executable in (bzip2) → \"bin/tool\"");
        // A gzip at the end of something else.
        let mut appended = random(10_000, 5);
        appended.extend(gzip(&samples::macho()));
        refused_with(&appended, "holds a Mach-O executable in (gzip at byte 10000)");
    }

    #[test]
    fn a_header_split_across_gzip_members_is_joined() {
        let pe = samples::pe();
        let mut two = gzip(&pe[..0x82]);
        two.extend(gzip(&pe[0x82..]));
        assert_eq!(check(&two), [format!("holds a PE (Windows) executable in (gzip): {SAMPLES_TRAVEL}")]);
    }

    #[test]
    fn encrypted_zips_are_how_samples_travel() {
        use zip::unstable::write::FileOptionsExt;
        for method in [Deflated, Stored] {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .with_deprecated_encryption(b"infected")
                .expect("encryption");
            zip.start_file("sample.exe", options).expect("zip");
            zip.write_all(&samples::pe()).expect("zip");
            zip.finish().expect("zip");
            assert_eq!(check(&out.into_inner()), Vec::<String>::new(), "{method:?}");
        }
    }

    #[test]
    fn nesting_past_the_bound_is_refused() {
        let mut nested = zip_of(&[("readme.txt", b"the bottom")], Deflated);
        for level in 0..MAX_DEPTH {
            nested = zip_of(&[(&format!("level{level}.zip"), &nested)], Deflated);
        }
        refused_with(&nested, &format!("nested deeper than {MAX_DEPTH} levels"));
        // One level less is fine.
        let mut nested = zip_of(&[("readme.txt", b"the bottom")], Deflated);
        for level in 0..MAX_DEPTH - 1 {
            nested = zip_of(&[(&format!("level{level}.zip"), &nested)], Deflated);
        }
        assert_eq!(check(&nested), Vec::<String>::new());
    }

    #[test]
    fn a_gzip_bomb_is_refused_at_the_bound_quickly() {
        // 600 members of 1 MiB of zeros: about 1 KiB each, 600 MiB once inflated.
        let member = gzip(&vec![0u8; 1 << 20]);
        let bomb: Vec<u8> = std::iter::repeat_n(&member[..], 600).flatten().copied().collect();
        assert!(bomb.len() < 2 << 20);
        let started = std::time::Instant::now();
        refused_with(&bomb, &format!("expands to more than {} MiB (at (gzip))", MAX_EXPANDED / MIB));
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn ordinary_documents_pass() {
        let text: Vec<u8> =
            (0..200_000).flat_map(|i: u32| format!("line {i}: MZ PE ELF ustar PK\n").into_bytes()).collect();
        let zip = zip_of(
            &[("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>"), ("word/document.xml", &text)],
            Deflated,
        );
        assert_eq!(check(&zip), Vec::<String>::new());
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n".to_vec();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).expect("zlib");
        pdf.extend(z.finish().expect("zlib"));
        pdf.extend(b"\nendstream\nendobj\n%%EOF\n");
        assert_eq!(check(&pdf), Vec::<String>::new());
        assert_eq!(check(&gzip(&random(1 << 20, 6))), Vec::<String>::new());
        assert_eq!(check(&tar_of("data.bin", &random(100_000, 7))), Vec::<String>::new());
    }

    /// How long inspection takes: `cargo test --release --lib inspect::tests::speed -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, for a release build"]
    fn speed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let time = |name: &str, bytes: Vec<u8>| {
            let path = dir.path().join("upload");
            std::fs::write(&path, &bytes).expect("write");
            let started = std::time::Instant::now();
            let why = refusals(&path);
            let took = started.elapsed();
            eprintln!("{name:<52} {:>6.1} MiB  {took:>10.3?}  {why:?}", bytes.len() as f64 / MIB as f64);
        };
        const SIZE: usize = 50 << 20;
        time("random bytes", random(SIZE, 10));
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let words: Vec<String> = (0..2000)
            .map(|_| (0..rng.gen_range(2..10)).map(|_| char::from(rng.gen_range(b'a'..=b'z'))).collect())
            .collect();
        let mut text = Vec::with_capacity(200 << 20);
        while text.len() < 180 << 20 {
            text.extend_from_slice(words[rng.gen_range(0..words.len())].as_bytes());
            text.push(if rng.gen_range(0..12) == 0 { b'\n' } else { b' ' });
        }
        let pages: Vec<(String, &[u8])> =
            text.chunks(1 << 20).enumerate().map(|(i, page)| (format!("text/{i}.txt"), page)).collect();
        let entries: Vec<(&str, &[u8])> = pages.iter().map(|(name, page)| (name.as_str(), *page)).collect();
        time("zip of text (180 MiB of text)", zip_of(&entries, Deflated));
        time("gzip of random bytes", gzip(&random(SIZE, 12)));
        time("gzip of text (180 MiB of text)", gzip(&text));
        // Hostile shapes: a candidate every few bytes.
        let spam = |unit: &[u8]| unit.iter().copied().cycle().take(SIZE).collect::<Vec<u8>>();
        time("`PE\\0\\0` over and over", spam(b"PE\0\0"));
        time("`PK` over and over", spam(b"PK"));
        let mut empty_member = gzip(b"");
        empty_member.push(b'!');
        time("empty gzip members, each after a stray byte", spam(&empty_member));
        let lfh = zip_of(&[("a", b"")], Deflated);
        let lfh = &lfh[..lfh.len() - 22 - 47];
        time("zip local headers of empty entries", spam(lfh));
        let stored = zip_of(&[("a", &vec![b'x'; 1 << 20])], Stored);
        time("one stored entry, its header repeated", spam(&stored[..31]));
    }

    #[test]
    fn a_zip_method_that_cannot_be_read_is_refused() {
        let mut zip = zip_of(&[("payload.bin", b"whatever")], Stored);
        zip[8..10].copy_from_slice(&93u16.to_le_bytes());
        refused_with(&zip, "holds \"payload.bin\" compressed with zip method 93");
    }
}

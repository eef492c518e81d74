//! The synthetic FFRI-style surface features of the demo's classification challenge, drawn from a seed:
//! the same seed gives the same rows and labels on every machine (SplitMix64, written out here, so no
//! crate's algorithm can change them). Labels come from a hidden rule over the features plus 6 % noise.
//! Shared by `cargo run --example surface_synth` and the tests, which regenerate the truth to prove it is
//! nowhere in the repository or the database.

use sha2::{Digest, Sha256};

/// The seed of the demo's test set.
pub const DEMO_SEED: u64 = 20_261_020;
/// Its number of rows.
pub const DEMO_ROWS: usize = 3000;

pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// One test file: its id (a SHA-256, as in the FFRI Dataset), the JSON line of its features, its label.
pub struct Row {
    pub id: String,
    pub features: String,
    pub label: &'static str,
}

const SUSPICIOUS: [&str; 8] = [
    "VirtualAllocEx",
    "WriteProcessMemory",
    "CreateRemoteThread",
    "SetWindowsHookExW",
    "InternetOpenUrlA",
    "CryptEncrypt",
    "IsDebuggerPresent",
    "RegSetValueExW",
];
const PACKERS: [&str; 4] = ["UPX0", ".qbx1", ".themida", ".aspack"];

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn generate(seed: u64, rows: usize) -> Vec<Row> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        let id = hex::encode(Sha256::digest(format!("mwscup-surface-synth\0{seed}\0{i}").as_bytes()));
        // Features first, from a mix of two populations so that the rule is learnable but not given away.
        let shady = rng.chance(0.45);
        let packed = rng.chance(if shady { 0.45 } else { 0.08 });
        let entropy = round2(if packed { 7.0 + rng.unit() * 0.95 } else { 4.8 + rng.unit() * 2.4 });
        let signed = rng.chance(if shady { 0.15 } else { 0.7 });
        let imports = if packed { 3 + rng.below(12) } else { 20 + rng.below(260) };
        let suspicious: Vec<&str> =
            SUSPICIOUS.iter().copied().filter(|_| rng.chance(if shady { 0.35 } else { 0.06 })).collect();
        let urls = if shady { rng.below(9) } else { rng.below(3) };
        let size = 16_384 + rng.below(if shady { 900_000 } else { 4_000_000 });
        let year = 2019 + rng.below(6);
        let month = 1 + rng.below(12);
        let timestamp = 1_546_300_800 + rng.below(190_000_000);
        let gui = rng.chance(0.7);
        let sections = if packed {
            format!(
                "[{{\"name\": \"{}\", \"entropy\": {entropy}, \"vsize\": {}}}, {{\"name\": \".rsrc\", \"entropy\": {}, \"vsize\": {}}}]",
                PACKERS[rng.below(PACKERS.len() as u64) as usize],
                4096 * (8 + rng.below(200)),
                round2(2.0 + rng.unit() * 3.0),
                4096 * (1 + rng.below(20)),
            )
        } else {
            format!(
                "[{{\"name\": \".text\", \"entropy\": {}, \"vsize\": {}}}, {{\"name\": \".rdata\", \"entropy\": {}, \"vsize\": {}}}, {{\"name\": \".data\", \"entropy\": {}, \"vsize\": {}}}]",
                round2(5.5 + rng.unit() * 1.0),
                4096 * (4 + rng.below(300)),
                round2(3.5 + rng.unit() * 1.5),
                4096 * (1 + rng.below(60)),
                round2(1.0 + rng.unit() * 2.0),
                4096 * (1 + rng.below(10)),
            )
        };
        // The hidden rule, then the noise.
        let score = f64::from(u8::from(entropy > 7.2)) * 1.6
            + f64::from(u8::from(!signed)) * 1.0
            + suspicious.len() as f64 * 0.7
            + f64::from(u8::from(urls >= 4)) * 0.8
            + f64::from(u8::from(imports < 15)) * 0.6;
        let mut malware = score >= 2.2;
        if rng.chance(0.06) {
            malware = !malware;
        }
        let features = format!(
            "{{\"sha256\": \"{id}\", \"appeared\": \"{year}-{month:02}\", \"general\": {{\"size\": {size}, \"imports\": {imports}, \"exports\": {}, \"has_signature\": {}, \"has_resources\": 1, \"has_tls\": {}}}, \"header\": {{\"coff\": {{\"timestamp\": {timestamp}, \"machine\": \"{}\"}}, \"optional\": {{\"subsystem\": \"{}\"}}}}, \"entropy\": {entropy}, \"section\": {sections}, \"suspicious_imports\": [{}], \"strings\": {{\"urls\": {urls}, \"paths\": {}, \"registry\": {}}}}}",
            rng.below(4),
            u8::from(signed),
            u8::from(rng.chance(0.1)),
            if rng.chance(0.6) { "I386" } else { "AMD64" },
            if gui { "WINDOWS_GUI" } else { "WINDOWS_CUI" },
            suspicious.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
            rng.below(40),
            rng.below(if shady { 12 } else { 4 }),
        );
        out.push(Row { id, features, label: if malware { "malware" } else { "cleanware" } });
    }
    out
}

//! A minimal zip archive writer for the openLCA export: entries stored (not compressed), with
//! their CRC-32, a central directory and the end record (PKWARE APPNOTE 6.3.10, sections
//! 4.3.7, 4.3.12 and 4.3.16). No timestamps vary (every entry is dated 1980-01-01), so the same
//! export is the same bytes. Entries and the archive must stay under 4 GiB (no Zip64).

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip requires.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip archive built in memory.
pub(crate) struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// DOS date of 1980-01-01 (day 1, month 1, year 0 since 1980), time 00:00.
const DOS_DATE: u16 = (1 << 5) | 1;

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

impl ZipWriter {
    pub(crate) fn new() -> ZipWriter {
        ZipWriter { out: Vec::new(), central: Vec::new(), entries: 0 }
    }

    /// Add a file; `name` uses `/` between folders and is written as UTF-8 (flag bit 11).
    pub(crate) fn add(&mut self, name: &str, data: &[u8]) {
        let (crc, size, offset) = (crc32(data), data.len() as u32, self.out.len() as u32);
        let name_len = name.len() as u16;
        // Local file header: version 2.0, UTF-8 names, stored.
        let out = &mut self.out;
        u32le(out, 0x0403_4b50);
        for v in [20, 1 << 11, 0, 0, DOS_DATE] {
            u16le(out, v);
        }
        for v in [crc, size, size] {
            u32le(out, v);
        }
        u16le(out, name_len);
        u16le(out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Central directory record.
        let c = &mut self.central;
        u32le(c, 0x0201_4b50);
        for v in [20, 20, 1 << 11, 0, 0, DOS_DATE] {
            u16le(c, v);
        }
        for v in [crc, size, size] {
            u32le(c, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            u16le(c, v);
        }
        u32le(c, 0);
        u32le(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    /// The archive: entries, central directory, end record.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let (start, size) = (self.out.len() as u32, self.central.len() as u32);
        self.out.append(&mut self.central);
        let out = &mut self.out;
        u32le(out, 0x0605_4b50);
        for v in [0, 0, self.entries, self.entries] {
            u16le(out, v);
        }
        u32le(out, size);
        u32le(out, start);
        u16le(out, 0);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check value of CRC-32/ISO-HDLC: the CRC of the nine ASCII digits "123456789" is
    /// 0xCBF43926 (Greg Cook, "Catalogue of parametrised CRC algorithms", CRC-32/ISO-HDLC).
    #[test]
    fn crc32_gives_the_catalogue_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn an_archive_ends_with_the_end_record_counting_its_entries() {
        let mut z = ZipWriter::new();
        z.add("a.json", b"{}");
        z.add("b/c.json", b"[]");
        let bytes = z.finish();
        assert_eq!(&bytes[..4], &[0x50, 0x4b, 0x03, 0x04]);
        let end = &bytes[bytes.len() - 22..];
        assert_eq!(&end[..4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2);
    }
}

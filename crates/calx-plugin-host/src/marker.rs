//! The Calx plugin marker, read without executing the library.
//!
//! A Calx plugin library exports the entry symbol [`ENTRY_SYMBOL`] (`calx_plugin_entry_v1`).
//! Before the dynamic loader opens a file (which runs the file's initialisers, and those of
//! every library it needs), the host reads the file's table of exported symbols with the
//! `object` crate and requires that name in it:
//!
//! - ELF (Linux, BSD): the dynamic symbol table (`.dynsym` with its `.dynstr`), a defined
//!   global symbol of that name;
//! - Mach-O (macOS): the exports trie (`LC_DYLD_EXPORTS_TRIE` or `LC_DYLD_INFO`), else the
//!   symbol table, where C names carry a leading underscore (`_calx_plugin_entry_v1`); a
//!   universal ("fat") file counts when one of its architectures has the marker;
//! - PE (Windows): the export directory.
//!
//! Only the headers and those tables are read, through any `Read + Seek` the caller opened
//! (this crate does no file I/O of its own). What the check cannot see is refused, never
//! guessed: a library without section headers (ELF `sstrip`) or a format other than these
//! three is "not a Calx plugin". Only the ELF path is exercised by the workspace tests (on
//! Linux); the Mach-O and PE paths are `object`'s readers of those formats.

use std::io::{Read, Seek};

use calx_plugin_abi::ENTRY_SYMBOL;
use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::{FileKind, NameOrOrdinal, Object, ReadCache, ReadRef};

/// Why a file does not carry the marker.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// Not a file the checker can read as a dynamic library.
    #[error("not a valid ELF, Mach-O or PE library ({0})")]
    NotALibrary(String),
    /// A library whose exported symbols do not include the entry symbol.
    #[error("`{ENTRY_SYMBOL}` not found in its exported (dynamic) symbols; checked without loading it")]
    NoEntrySymbol,
}

/// Whether the library read through `file` exports [`ENTRY_SYMBOL`], read without loading it.
pub fn check_marker<R: Read + Seek>(file: R) -> Result<(), MarkerError> {
    let cache = ReadCache::new(file);
    let kind = FileKind::parse(&cache).map_err(|e| MarkerError::NotALibrary(e.to_string()))?;
    let found = match kind {
        FileKind::MachOFat32 => {
            let fat = MachOFatFile32::parse(&cache).map_err(|e| MarkerError::NotALibrary(e.to_string()))?;
            any_architecture(&cache, fat.arches())?
        }
        FileKind::MachOFat64 => {
            let fat = MachOFatFile64::parse(&cache).map_err(|e| MarkerError::NotALibrary(e.to_string()))?;
            any_architecture(&cache, fat.arches())?
        }
        _ => exports_entry(&cache)?,
    };
    if found { Ok(()) } else { Err(MarkerError::NoEntrySymbol) }
}

/// Whether one architecture of a universal Mach-O file exports the entry symbol.
fn any_architecture<R: object::ReadCacheOps, A: FatArch>(
    cache: &ReadCache<R>,
    arches: &[A],
) -> Result<bool, MarkerError> {
    for arch in arches {
        let (offset, size) = arch.file_range();
        if exports_entry(cache.range(offset, size))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the single-architecture object in `data` exports the entry symbol.
fn exports_entry<'a, R: ReadRef<'a>>(data: R) -> Result<bool, MarkerError> {
    let file = object::File::parse(data).map_err(|e| MarkerError::NotALibrary(e.to_string()))?;
    let mach_o = matches!(file.format(), object::BinaryFormat::MachO);
    let exports = file.exports().map_err(|e| MarkerError::NotALibrary(e.to_string()))?;
    // A malformed entry is skipped (the iterator goes on); it is not the marker.
    Ok(exports.flatten().any(|export| match export.name() {
        NameOrOrdinal::Name(name) => is_entry_name(name, mach_o),
        NameOrOrdinal::Ordinal(_) => false,
    }))
}

/// Whether an exported name is the entry symbol (Mach-O prefixes C names with `_`).
fn is_entry_name(name: &[u8], mach_o: bool) -> bool {
    let name = if mach_o { name.strip_prefix(b"_").unwrap_or(name) } else { name };
    name == ENTRY_SYMBOL.as_bytes()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    /// How a symbol of [`elf`] is bound: (`st_info`, `st_shndx`).
    pub(crate) type Binding = (u8, u16);
    /// A defined global function: exported.
    pub(crate) const EXPORTED: Binding = (0x12, 1);
    /// A defined local function: not exported.
    pub(crate) const LOCAL: Binding = (0x02, 1);
    /// A global reference to another library's symbol: not exported.
    pub(crate) const UNDEFINED: Binding = (0x12, 0);

    /// A minimal little-endian ELF64 shared object whose only content is a dynamic symbol
    /// table (`.dynsym`, `.dynstr`) holding `symbols`.
    pub(crate) fn elf(symbols: &[(&str, Binding)]) -> Vec<u8> {
        let mut dynstr = vec![0u8];
        let mut dynsym = vec![0u8; 24]; // symbol 0 is the null symbol
        for (name, (info, shndx)) in symbols {
            let at = u32::try_from(dynstr.len()).unwrap_or_default();
            dynstr.extend_from_slice(name.as_bytes());
            dynstr.push(0);
            dynsym.extend_from_slice(&at.to_le_bytes());
            dynsym.extend_from_slice(&[*info, 0]);
            dynsym.extend_from_slice(&shndx.to_le_bytes());
            dynsym.extend_from_slice(&[0u8; 16]); // value, size
        }
        let shstrtab = b"\0.dynstr\0.dynsym\0.shstrtab\0".to_vec();
        let align = |n: usize| n.div_ceil(8) * 8;
        let (str_at, sym_at) = (64, align(64 + dynstr.len()));
        let shstr_at = sym_at + dynsym.len();
        let sh_at = align(shstr_at + shstrtab.len());
        let mut out = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        for (v, n) in [(3u64, 2), (62, 2), (1, 4), (0, 8), (0, 8), (sh_at as u64, 8), (0, 4)] {
            out.extend_from_slice(&v.to_le_bytes()[..n]); // type, machine, version, entry, phoff, shoff, flags
        }
        for v in [64u16, 56, 0, 64, 4, 3] {
            out.extend_from_slice(&v.to_le_bytes()); // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
        }
        out.extend_from_slice(&dynstr);
        out.resize(sym_at, 0);
        out.extend_from_slice(&dynsym);
        out.extend_from_slice(&shstrtab);
        out.resize(sh_at, 0);
        // name, type, flags, addr, offset, size, link, info, addralign, entsize: their widths
        let widths = [4, 4, 8, 8, 8, 8, 4, 4, 8, 8];
        let n = |x: usize| x as u64;
        let sections = [
            [0; 10],
            [1, 3, 0, 0, n(str_at), n(dynstr.len()), 0, 0, 1, 0],
            [9, 11, 0, 0, n(sym_at), n(dynsym.len()), 1, 1, 8, 24],
            [17, 3, 0, 0, n(shstr_at), n(shstrtab.len()), 0, 0, 1, 0],
        ];
        for fields in sections {
            for (v, w) in fields.iter().zip(widths) {
                out.extend_from_slice(&v.to_le_bytes()[..w]);
            }
        }
        out
    }

    fn marker_of(symbols: &[(&str, Binding)]) -> Result<(), MarkerError> {
        check_marker(Cursor::new(elf(symbols)))
    }

    #[test]
    fn an_exported_entry_symbol_is_the_marker() {
        assert_eq!(marker_of(&[("other", EXPORTED), (ENTRY_SYMBOL, EXPORTED)]), Ok(()));
    }

    #[test]
    fn a_local_undefined_or_misnamed_entry_symbol_is_not() {
        for symbols in [
            vec![(ENTRY_SYMBOL, LOCAL)],
            vec![(ENTRY_SYMBOL, UNDEFINED)],
            vec![("calx_plugin_entry_v2", EXPORTED)],
            vec![],
        ] {
            assert_eq!(marker_of(&symbols), Err(MarkerError::NoEntrySymbol), "{symbols:?}");
        }
    }

    #[test]
    fn text_is_not_a_library() {
        let e = check_marker(Cursor::new(b"not a library at all".to_vec())).unwrap_err();
        assert!(matches!(e, MarkerError::NotALibrary(_)), "{e}");
    }

    #[test]
    fn this_test_program_is_a_real_executable_without_the_marker() {
        let file = std::env::current_exe().and_then(std::fs::File::open).expect("the test program is readable");
        assert_eq!(check_marker(file), Err(MarkerError::NoEntrySymbol));
    }

    #[test]
    fn mach_o_names_carry_an_underscore() {
        assert!(is_entry_name(b"_calx_plugin_entry_v1", true));
        assert!(!is_entry_name(b"_calx_plugin_entry_v1", false));
        assert!(is_entry_name(b"calx_plugin_entry_v1", false));
        assert!(!is_entry_name(b"calx_plugin_entry_v2", false));
    }
}

//! The typed, columnar panel: respondents, clusters, roles, waves and one
//! column per declared variable, with the reason kept for every missing
//! value.
//!
//! Storage is compact because a panel may hold hundreds of millions of
//! cells: each integer-like column picks the narrowest integer type that
//! holds its declared range plus its missing codes (item codes 0-7 take one
//! byte a cell), and columns grow in fixed chunks so that growing never
//! copies (a doubling `Vec` would briefly need three times the memory).

use crate::study::{Study, VarKind, Variable};

/// Index of a respondent in a [`Panel`] (order of first appearance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RespondentId(pub u32);

/// Index of a cluster (family) in a [`Panel`] (order of first appearance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterId(pub u32);

/// Index of a wave in the study's wave order (by months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wave(pub u8);

/// Why a value is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Missing {
    /// The cell was empty.
    Empty,
    /// The value was excluded by a lenient load (see the load report).
    Excluded,
    /// A declared missing code: index into the variable's `missing` list.
    Code(u16),
}

/// One decoded cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// An integer value.
    Int(i64),
    /// A float value.
    Float(f64),
    /// A categorical value: index into the variable's codes.
    Category(u16),
    /// A date, days since 1970-01-01.
    Date(i32),
    /// An id value: index into the column's id table.
    Id(u32),
    /// No value, with the reason.
    Missing(Missing),
}

const CHUNK_BITS: u32 = 16;
const CHUNK: usize = 1 << CHUNK_BITS;

/// A growable array stored in fixed-size chunks: pushing never moves the
/// elements already stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: Copy> Chunked<T> {
    pub(crate) fn new() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, v: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        // The last chunk exists: it was pushed above when the previous one filled.
        if let Some(last) = self.chunks.last_mut() {
            last.push(v);
        }
        self.len += 1;
    }

    /// The elements in order, chunk by chunk.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter().copied())
    }

    /// The element at `i`; panics if `i >= len` (programmer error).
    pub(crate) fn get(&self, i: usize) -> T {
        self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// Interned strings: each distinct id is stored once in one buffer, found
/// again through an open-addressing hash table whose slots hold the index
/// and 32 bits of the hash, which also gives the position (so that
/// probing rarely, and growing never, touches the text). About 28 bytes an id, against 60 or more for a
/// `HashMap<String, u32>`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IdTable {
    text: String,
    ends: Vec<usize>,
    /// `(index, hash tag)`; index `EMPTY_SLOT` = free.
    slots: Vec<(u32, u32)>,
}

const EMPTY_SLOT: u32 = u32::MAX;

impl IdTable {
    pub(crate) fn new() -> Self {
        IdTable {
            text: String::new(),
            ends: Vec::new(),
            slots: vec![(EMPTY_SLOT, 0); 1024],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The hash an id is found by.
    pub(crate) fn hash(s: &[u8]) -> u64 {
        // FNV-1a, then a final mix; ids are short.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in s {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        (h ^ (h >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// Asks the processor to bring the slot of an id with `hash` into the
    /// cache: a table of a million ids does not fit in it, and a lookup
    /// a few rows ahead then finds its slot there.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        let slot = &self.slots[(hash >> 32) as usize & (self.slots.len() - 1)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE is part of x86-64, and a prefetch reads nothing
        // (the address is a valid slot anyway).
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast::<i8>());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// The index of `s`, and whether it was new.
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        self.intern_hashed(s, Self::hash(s.as_bytes()))
    }

    /// [`IdTable::intern`] of `s` whose [`IdTable::hash`] is `hash`.
    pub(crate) fn intern_hashed(&mut self, s: &str, hash: u64) -> (u32, bool) {
        debug_assert_eq!(hash, Self::hash(s.as_bytes()));
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut pos = tag as usize & mask;
        loop {
            let (slot, slot_tag) = self.slots[pos];
            if slot == EMPTY_SLOT {
                break;
            }
            if slot_tag == tag && self.get(slot) == s {
                return (slot, false);
            }
            pos = (pos + 1) & mask;
        }
        let idx = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len());
        self.slots[pos] = (idx, tag);
        if self.ends.len() * 2 > self.slots.len() {
            self.grow();
        }
        (idx, true)
    }

    fn grow(&mut self) {
        // Positions come from the tag, so growing never reads the text.
        let size = self.slots.len() * 2;
        let mut slots = vec![(EMPTY_SLOT, 0); size];
        for &(i, tag) in self.slots.iter().filter(|(i, _)| *i != EMPTY_SLOT) {
            let mut pos = tag as usize & (size - 1);
            while slots[pos].0 != EMPTY_SLOT {
                pos = (pos + 1) & (size - 1);
            }
            slots[pos] = (i, tag);
        }
        self.slots = slots;
    }
}

/// Logical encoding of integer-like cells before narrowing: values are
/// themselves, the lowest values of `i64` mark missing cells.
pub(crate) const EMPTY: i64 = i64::MIN;
pub(crate) const EXCLUDED: i64 = i64::MIN + 1;
pub(crate) const MISSING_BASE: i64 = i64::MIN + 2;

#[derive(Debug, Clone, PartialEq)]
enum Cells {
    /// Two cells a byte: for codes whose values and markers number at most
    /// 16 (items with categories 0-7 and a few missing codes). A nibble is
    /// `markers + (value - lo)`, or the marker offset below `markers`.
    U4 {
        bytes: Chunked<u8>,
        len: usize,
        lo: i64,
        /// The first cell of a byte not yet complete (see `Column::finish`).
        pending: u8,
    },
    I8(Chunked<i8>),
    I16(Chunked<i16>),
    I32(Chunked<i32>),
    I64(Chunked<i64>),
    /// Floats, and beside them a status: 0 value, 1 empty, 2 excluded,
    /// 3 + k missing code k.
    F64(Chunked<f64>, Chunked<u8>),
}

/// Narrowing between the logical `i64` encoding and a storage type whose
/// lowest values take the place of `i64::MIN ..`.
macro_rules! narrow {
    ($t:ty, $v:expr) => {{
        let v: i64 = $v;
        let off = v.wrapping_sub(i64::MIN) as u64;
        if off < 1 << 16 {
            (<$t>::MIN as i64 + off as i64) as $t
        } else {
            v as $t
        }
    }};
}

/// The 4-bit code of logical value `v` in a `U4` column with `markers`
/// marker codes and lowest valid value `lo`.
#[inline]
fn u4_nibble(v: i64, markers: i64, lo: i64) -> u8 {
    let off = v.wrapping_sub(i64::MIN);
    if (0..markers).contains(&off) {
        off as u8
    } else {
        (markers + v - lo) as u8
    }
}

/// One column of the panel: the values of one declared variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    variable: usize,
    cells: Cells,
    /// Stored values below this (as i64) are missing markers; for `U4`,
    /// the number of markers.
    special_below: i64,
    ids: Option<IdTable>,
}

impl Column {
    pub(crate) fn new(variable: usize, var: &Variable) -> Column {
        let n_missing = var.missing.len() as i64;
        let (lo, hi) = match &var.kind {
            VarKind::Integer { min, max } => (*min, *max),
            VarKind::Categorical { codes } => (0, codes.len() as i64 - 1),
            VarKind::Date { .. } => (i64::from(i32::MIN) + 1024, i64::from(i32::MAX)),
            VarKind::Id => (0, i64::from(u32::MAX)),
            VarKind::Float { .. } => {
                return Column {
                    variable,
                    cells: Cells::F64(Chunked::new(), Chunked::new()),
                    special_below: 0,
                    ids: None,
                };
            }
        };
        let fits = |tmin: i64, tmax: i64| lo >= tmin + 2 + n_missing && hi <= tmax;
        let markers = 2 + n_missing;
        if hi
            .saturating_sub(lo)
            .saturating_add(1)
            .saturating_add(markers)
            <= 16
        {
            return Column {
                variable,
                cells: Cells::U4 {
                    bytes: Chunked::new(),
                    len: 0,
                    lo,
                    pending: 0,
                },
                special_below: markers,
                ids: None,
            };
        }
        let (cells, tmin) = if fits(i8::MIN.into(), i8::MAX.into()) {
            (Cells::I8(Chunked::new()), i64::from(i8::MIN))
        } else if fits(i16::MIN.into(), i16::MAX.into()) {
            (Cells::I16(Chunked::new()), i64::from(i16::MIN))
        } else if fits(i32::MIN.into(), i32::MAX.into()) {
            (Cells::I32(Chunked::new()), i64::from(i32::MIN))
        } else {
            (Cells::I64(Chunked::new()), i64::MIN)
        };
        Column {
            variable,
            cells,
            special_below: tmin.saturating_add(2 + n_missing),
            ids: matches!(var.kind, VarKind::Id).then(IdTable::new),
        }
    }

    /// Index of this column's variable in `Study::variables`.
    pub fn variable_index(&self) -> usize {
        self.variable
    }

    /// Number of cells (equal to the panel's observations).
    pub fn len(&self) -> usize {
        match &self.cells {
            Cells::U4 { len, .. } => *len,
            Cells::I8(c) => c.len(),
            Cells::I16(c) => c.len(),
            Cells::I32(c) => c.len(),
            Cells::I64(c) => c.len(),
            Cells::F64(c, _) => c.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bits a cell takes in memory.
    pub fn bits_per_cell(&self) -> usize {
        match &self.cells {
            Cells::U4 { .. } => 4,
            Cells::I8(_) => 8,
            Cells::I16(_) => 16,
            Cells::I32(_) => 32,
            Cells::I64(_) => 64,
            Cells::F64(..) => 72,
        }
    }

    #[inline]
    pub(crate) fn push_logical(&mut self, v: i64) {
        let markers = self.special_below;
        match &mut self.cells {
            Cells::U4 {
                bytes,
                len,
                lo,
                pending,
            } => {
                let nibble = u4_nibble(v, markers, *lo);
                if *len % 2 == 0 {
                    *pending = nibble;
                } else {
                    bytes.push(*pending | nibble << 4);
                }
                *len += 1;
            }
            Cells::I8(c) => c.push(narrow!(i8, v)),
            Cells::I16(c) => c.push(narrow!(i16, v)),
            Cells::I32(c) => c.push(narrow!(i32, v)),
            Cells::I64(c) => c.push(v),
            Cells::F64(vals, status) => {
                let s = match v {
                    EMPTY => 1,
                    EXCLUDED => 2,
                    code => 3 + (code - MISSING_BASE) as u8,
                };
                vals.push(f64::NAN);
                status.push(s);
            }
        }
    }

    /// Appends logical values (see `push_logical`), matching the storage
    /// once for the whole slice: the loader's hot path.
    pub(crate) fn extend_logical(&mut self, values: &[i64]) {
        let markers = self.special_below;
        match &mut self.cells {
            Cells::U4 {
                bytes,
                len,
                lo,
                pending,
            } => {
                let lo = *lo;
                let nibble = |v: i64| u4_nibble(v, markers, lo);
                let mut rest = values;
                if *len % 2 == 1 {
                    if let Some((&first, tail)) = rest.split_first() {
                        bytes.push(*pending | nibble(first) << 4);
                        rest = tail;
                    }
                }
                let mut pairs = rest.chunks_exact(2);
                for pair in &mut pairs {
                    bytes.push(nibble(pair[0]) | nibble(pair[1]) << 4);
                }
                if let [last] = pairs.remainder() {
                    *pending = nibble(*last);
                }
                *len += values.len();
            }
            _ => values.iter().for_each(|&v| self.push_logical(v)),
        }
    }

    pub(crate) fn push_float(&mut self, v: f64) {
        if let Cells::F64(vals, status) = &mut self.cells {
            vals.push(v);
            status.push(0);
        }
    }

    pub(crate) fn intern_id(&mut self, s: &str) -> i64 {
        match &mut self.ids {
            Some(t) => i64::from(t.intern(s).0),
            None => EXCLUDED,
        }
    }

    /// The text of an id value.
    pub fn id_text(&self, i: u32) -> &str {
        self.ids.as_ref().map_or("", |t| t.get(i))
    }

    /// The logical value of cell `i` (missing markers included), for
    /// comparisons; floats as their bits.
    #[inline]
    pub(crate) fn logical(&self, i: usize) -> i64 {
        let widen = |raw: i64, tmin: i64| {
            if raw < self.special_below {
                i64::MIN + (raw - tmin)
            } else {
                raw
            }
        };
        match &self.cells {
            Cells::U4 { bytes, lo, .. } => {
                let n = i64::from((bytes.get(i >> 1) >> ((i & 1) * 4)) & 0xF);
                if n < self.special_below {
                    i64::MIN + n
                } else {
                    lo + n - self.special_below
                }
            }
            Cells::I8(c) => widen(c.get(i).into(), i8::MIN.into()),
            Cells::I16(c) => widen(c.get(i).into(), i16::MIN.into()),
            Cells::I32(c) => widen(c.get(i).into(), i32::MIN.into()),
            Cells::I64(c) => c.get(i),
            Cells::F64(vals, status) => match status.get(i) {
                // Present floats as their bits (-0.0 as 0.0): only compared
                // with other present values.
                0 => (vals.get(i) + 0.0).to_bits() as i64,
                1 => EMPTY,
                2 => EXCLUDED,
                k => MISSING_BASE + i64::from(k - 3),
            },
        }
    }

    /// Stores a half-filled last byte; called once when loading ends,
    /// before any cell is read.
    pub(crate) fn finish(&mut self) {
        if let Cells::U4 {
            bytes,
            len,
            pending,
            ..
        } = &mut self.cells
        {
            if *len % 2 == 1 {
                bytes.push(*pending);
            }
        }
    }

    /// Calls `f` with the index and the missing slot (see
    /// [`Column::missing_slot`]) of every missing cell in order; walks the
    /// storage once, without decoding, and skips two present cells of a
    /// 4-bit column with one comparison each.
    pub(crate) fn for_each_missing(&self, n_missing: usize, mut f: impl FnMut(usize, usize)) {
        match &self.cells {
            Cells::U4 { bytes, len, .. } => {
                let markers = self.special_below as u8;
                for (i, b) in bytes.iter().enumerate() {
                    let (low, high) = (b & 0xF, b >> 4);
                    if low.min(high) >= markers {
                        continue;
                    }
                    if low < markers {
                        f(2 * i, usize::from(low) + 1);
                    }
                    if high < markers && 2 * i + 1 < *len {
                        f(2 * i + 1, usize::from(high) + 1);
                    }
                }
            }
            _ => (0..self.len()).for_each(|i| match self.missing_slot(i, n_missing) {
                0 => {}
                slot => f(i, slot),
            }),
        }
    }

    /// Why cell `i` is missing, as a slot: 0 not missing, 1 empty,
    /// 2 excluded, 3 + k missing code k. Cheaper than [`Column::get`].
    pub(crate) fn missing_slot(&self, i: usize, n_missing: usize) -> usize {
        if let Cells::F64(_, status) = &self.cells {
            return usize::from(status.get(i));
        }
        let off = self.logical(i).wrapping_sub(i64::MIN) as u64;
        if off < 2 + n_missing as u64 {
            off as usize + 1
        } else {
            0
        }
    }

    /// The value of cell `i` of an integer column, `None` when missing:
    /// the fast path for scoring. `n_missing` is the number of the
    /// variable's missing codes.
    #[inline]
    pub fn int_value(&self, i: usize, n_missing: usize) -> Option<i64> {
        if let Cells::F64(..) = self.cells {
            return None;
        }
        let v = self.logical(i);
        (v >= MISSING_BASE + n_missing as i64).then_some(v)
    }

    /// Cells `range` of an integer column whose values lie in 0..=254,
    /// appended to `out` as bytes, 255 for a missing value: the fast path
    /// for scoring response codes. Walks the storage sequentially.
    pub fn codes_into(&self, range: std::ops::Range<usize>, n_missing: usize, out: &mut Vec<u8>) {
        let code = |v: Option<i64>| v.filter(|v| (0..=254).contains(v)).map_or(255, |v| v as u8);
        match &self.cells {
            Cells::U4 { bytes, lo, .. } => {
                let markers = self.special_below;
                let table: [u8; 16] = std::array::from_fn(|n| {
                    let n = n as i64;
                    code((n >= markers).then(|| lo + n - markers))
                });
                for i in range {
                    let b = bytes.get(i >> 1);
                    out.push(table[usize::from((b >> ((i & 1) * 4)) & 0xF)]);
                }
            }
            _ => out.extend(range.map(|i| code(self.int_value(i, n_missing)))),
        }
    }

    /// Cell `i`, decoded according to the variable's type.
    pub fn get(&self, i: usize, var: &Variable) -> Cell {
        if let Cells::F64(vals, status) = &self.cells {
            return match status.get(i) {
                0 => Cell::Float(vals.get(i)),
                1 => Cell::Missing(Missing::Empty),
                2 => Cell::Missing(Missing::Excluded),
                k => Cell::Missing(Missing::Code(u16::from(k - 3))),
            };
        }
        let v = self.logical(i);
        match v {
            EMPTY => Cell::Missing(Missing::Empty),
            EXCLUDED => Cell::Missing(Missing::Excluded),
            v if v < MISSING_BASE + var.missing.len() as i64 => {
                Cell::Missing(Missing::Code((v - MISSING_BASE) as u16))
            }
            v => match var.kind {
                VarKind::Integer { .. } => Cell::Int(v),
                VarKind::Categorical { .. } => Cell::Category(v as u16),
                VarKind::Date { .. } => Cell::Date(v as i32),
                VarKind::Id => Cell::Id(v as u32),
                VarKind::Float { .. } => Cell::Missing(Missing::Excluded),
            },
        }
    }
}

/// A loaded, validated panel: one observation per respondent x wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub(crate) study: Study,
    pub(crate) respondents: IdTable,
    pub(crate) clusters: IdTable,
    pub(crate) respondent_cluster: Vec<u32>,
    pub(crate) respondent_role: Vec<u16>,
    pub(crate) obs_respondent: Chunked<u32>,
    pub(crate) obs_wave: Chunked<u8>,
    pub(crate) columns: Vec<Column>,
}

impl Panel {
    /// The study the panel was loaded with.
    pub fn study(&self) -> &Study {
        &self.study
    }

    /// Number of observations (respondent x wave rows).
    pub fn n_observations(&self) -> usize {
        self.obs_respondent.len()
    }

    /// Number of distinct respondents.
    pub fn n_respondents(&self) -> usize {
        self.respondents.len()
    }

    /// Number of distinct clusters (families).
    pub fn n_clusters(&self) -> usize {
        self.clusters.len()
    }

    /// The id text of a respondent.
    pub fn respondent_id(&self, r: RespondentId) -> &str {
        self.respondents.get(r.0)
    }

    /// The id text of a cluster.
    pub fn cluster_id(&self, c: ClusterId) -> &str {
        self.clusters.get(c.0)
    }

    /// The cluster a respondent belongs to.
    pub fn cluster_of(&self, r: RespondentId) -> ClusterId {
        ClusterId(self.respondent_cluster[r.0 as usize])
    }

    /// The respondent's role: index into the role variable's codes.
    pub fn role_of(&self, r: RespondentId) -> u16 {
        self.respondent_role[r.0 as usize]
    }

    /// The declared role variable (categorical).
    pub fn role_variable(&self) -> &Variable {
        self.study.role_variable()
    }

    /// The respondent of observation `i`.
    pub fn respondent(&self, i: usize) -> RespondentId {
        RespondentId(self.obs_respondent.get(i))
    }

    /// The wave of observation `i`.
    pub fn wave(&self, i: usize) -> Wave {
        Wave(self.obs_wave.get(i))
    }

    /// The data columns, one per declared variable except the role.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column of the variable called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| self.study.variables[c.variable].name == name)
    }

    /// The variable a column holds.
    pub fn variable_of(&self, c: &Column) -> &Variable {
        &self.study.variables[c.variable]
    }

    /// The waves at which each respondent took part, as a bit set (bit w:
    /// wave w), indexed by respondent.
    pub fn respondent_waves(&self) -> Vec<u64> {
        let mut out = vec![0u64; self.n_respondents()];
        for i in 0..self.n_observations() {
            out[self.obs_respondent.get(i) as usize] |= 1 << self.obs_wave.get(i);
        }
        out
    }

    /// The waves at which each cluster (family) took part, that is, any of
    /// its respondents, as a bit set indexed by cluster.
    pub fn cluster_waves(&self) -> Vec<u64> {
        let mut out = vec![0u64; self.n_clusters()];
        for (r, m) in self.respondent_waves().into_iter().enumerate() {
            out[self.respondent_cluster[r] as usize] |= m;
        }
        out
    }

    /// Observation indices sorted by respondent (first appearance) and wave:
    /// the canonical order, whatever the order of the file.
    pub fn canonical_order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.n_observations()).collect();
        idx.sort_by_key(|&i| (self.obs_respondent.get(i), self.obs_wave.get(i)));
        idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_table_interns_and_finds_again_across_growth() {
        let mut t = IdTable::new();
        for i in 0..5000 {
            assert_eq!(t.intern(&format!("R{i}")), (i, true));
        }
        for i in (0..5000).rev() {
            assert_eq!(t.intern(&format!("R{i}")), (i, false));
            assert_eq!(t.get(i), format!("R{i}"));
        }
    }

    #[test]
    fn chunked_keeps_order_across_chunks() {
        let mut c = Chunked::new();
        for i in 0..(3 * CHUNK + 7) {
            c.push(i as u32);
        }
        assert_eq!(c.len(), 3 * CHUNK + 7);
        assert_eq!(c.get(CHUNK), CHUNK as u32);
        assert_eq!(c.get(3 * CHUNK + 6), (3 * CHUNK + 6) as u32);
    }

    #[test]
    fn narrow_columns_keep_missing_markers_apart_from_values() {
        use crate::study::MissingCode;
        let var = Variable {
            name: "x".into(),
            label: None,
            kind: VarKind::Integer { min: -100, max: 7 },
            time_invariant: false,
            required: false,
            missing: vec![
                MissingCode {
                    code: "-9".into(),
                    reason: "refused".into(),
                },
                MissingCode {
                    code: "-8".into(),
                    reason: "don't know".into(),
                },
            ],
        };
        let mut c = Column::new(0, &var);
        assert_eq!(c.bits_per_cell(), 8);
        for v in [-100, 7, EMPTY, EXCLUDED, MISSING_BASE, MISSING_BASE + 1] {
            c.push_logical(v);
        }
        let got: Vec<Cell> = (0..6).map(|i| c.get(i, &var)).collect();
        assert_eq!(
            got,
            [
                Cell::Int(-100),
                Cell::Int(7),
                Cell::Missing(Missing::Empty),
                Cell::Missing(Missing::Excluded),
                Cell::Missing(Missing::Code(0)),
                Cell::Missing(Missing::Code(1)),
            ]
        );
        // An i8 column keeps -128..=-125 for the four markers (empty, excluded,
        // two codes): -125 needs an i16.
        let wide = Variable {
            kind: VarKind::Integer { min: -125, max: 7 },
            ..var
        };
        assert_eq!(Column::new(0, &wide).bits_per_cell(), 16);
        // 0-7 with two codes: 8 values + 4 markers fit in a nibble.
        let item = Variable {
            kind: VarKind::Integer { min: 0, max: 7 },
            ..wide.clone()
        };
        let mut c = Column::new(0, &item);
        assert_eq!(c.bits_per_cell(), 4);
        let values = [0, 7, EMPTY, 3, MISSING_BASE + 1, EXCLUDED, 5];
        // One by one, then in slices that start at odd and even positions.
        c.push_logical(values[0]);
        c.extend_logical(&values[1..4]);
        c.extend_logical(&values[4..]);
        c.finish();
        let mut slots = Vec::new();
        c.for_each_missing(2, |i, s| slots.push((i, s)));
        // 1 empty, 2 excluded, 3 + k code k.
        assert_eq!(slots, [(2, 1), (4, 4), (5, 2)]);
        let back: Vec<i64> = (0..values.len()).map(|i| c.logical(i)).collect();
        assert_eq!(back, values);
        assert_eq!(c.get(4, &item), Cell::Missing(Missing::Code(1)));
        // Response codes as bytes, 255 for missing, from any start.
        let mut codes = Vec::new();
        c.codes_into(1..7, 2, &mut codes);
        assert_eq!(codes, [7, 255, 3, 255, 255, 5]);
    }
}

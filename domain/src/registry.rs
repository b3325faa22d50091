//! Entities of one kind, found by id, kept in the order they were registered.
//!
//! Rows are addressed by a dense index so that state rows refer to each other
//! by number (cheap to copy, cheap to undo) while ids stay the public names.

use crate::id::Id;
use std::collections::HashMap;

pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone)]
pub(crate) struct Registry<T> {
    index: FastMap<Id, u32>,
    rows: Vec<(Id, T)>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self {
            index: FastMap::default(),
            rows: Vec::new(),
        }
    }
}

impl<T: PartialEq> PartialEq for Registry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

/// Serialised as its rows; the index is rebuilt when read back.
impl<T: serde::Serialize> serde::Serialize for Registry<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.rows.serialize(s)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Registry<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rows: Vec<(Id, T)> = Vec::deserialize(d)?;
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i as u32))
            .collect();
        Ok(Self { index, rows })
    }
}

impl<T> Registry<T> {
    pub fn find(&self, id: &(impl AsRef<str> + ?Sized)) -> Option<u32> {
        self.index.get(id.as_ref()).copied()
    }

    pub fn contains(&self, id: &(impl AsRef<str> + ?Sized)) -> bool {
        self.index.contains_key(id.as_ref())
    }

    /// Adds a new row; the caller has checked that `id` is new.
    pub fn insert(&mut self, id: Id, row: T) -> u32 {
        let n = self.rows.len() as u32;
        self.index.insert(id.clone(), n);
        self.rows.push((id, row));
        n
    }

    /// Removes the row added last (undo of [`Registry::insert`]).
    pub fn pop(&mut self) {
        if let Some((id, _)) = self.rows.pop() {
            self.index.remove(&id);
        }
    }

    pub fn row(&self, i: u32) -> &T {
        &self.rows[i as usize].1
    }

    pub fn row_mut(&mut self, i: u32) -> &mut T {
        &mut self.rows[i as usize].1
    }

    pub fn id(&self, i: u32) -> &Id {
        &self.rows[i as usize].0
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

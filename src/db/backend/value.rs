//! The values that go into and come out of a statement, the same on both backends: an
//! integer, a text, a boolean or NULL (every time is an integer of milliseconds). A
//! statement's parameters are `Value`s; a row is read into `Value`s, so that the code
//! above never sees a SQLite or a PostgreSQL row.

use std::error::Error as StdError;

use anyhow::{Result, anyhow};
use bytes::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

/// What can be a statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A statement's parameters: `params![a, b, c]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::db::backend::value::ToValue::to_value(&$value)),*]
            as &[$crate::db::backend::value::Value]
    };
}
pub(crate) use params;

/// What a row's column can be read as.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Int(n) => Ok(*n),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(anyhow!("expected an integer, found {other:?}")),
        }
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Result<Self> {
        Ok(u32::try_from(i64::from_value(value)?)?)
    }
}

impl FromValue for usize {
    fn from_value(value: &Value) -> Result<Self> {
        Ok(usize::try_from(i64::from_value(value)?)?)
    }
}

impl FromValue for bool {
    /// SQLite keeps booleans as 0 and 1; PostgreSQL as booleans.
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::Int(n) => Ok(*n != 0),
            other => Err(anyhow!("expected a boolean, found {other:?}")),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            other => Err(anyhow!("expected a text, found {other:?}")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub(super) Vec<Value>);

impl Row {
    /// The row's values, column by column.
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self
            .0
            .get(index)
            .ok_or_else(|| anyhow!("no column {index} in the row"))?;
        T::from_value(value).map_err(|e| e.context(format!("column {index}")))
    }

    /// A text column moved out of the row (it reads as NULL after): no copy of it, for
    /// the names of 100 000 accounts.
    pub fn take_text(&mut self, index: usize) -> Result<String> {
        match self
            .0
            .get_mut(index)
            .map(|value| std::mem::replace(value, Value::Null))
        {
            Some(Value::Text(text)) => Ok(text),
            Some(other) => Err(anyhow!("column {index}: expected a text, found {other:?}")),
            None => Err(anyhow!("no column {index} in the row")),
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Sqlite};
        Ok(ToSqlOutput::Owned(match self {
            Value::Null => Sqlite::Null,
            Value::Int(n) => Sqlite::Integer(*n),
            Value::Text(text) => Sqlite::Text(text.clone()),
            Value::Bool(b) => Sqlite::Integer(i64::from(*b)),
        }))
    }
}

/// A SQLite column, read.
pub(super) fn from_sqlite(value: rusqlite::types::ValueRef) -> Result<Value> {
    use rusqlite::types::ValueRef;
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        // Checked by the fast path first: verify reads millions of texts.
        ValueRef::Text(text) => Value::Text(match std::str::from_utf8(text) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(text).into_owned(),
        }),
        ValueRef::Real(x) => Value::Int(x as i64),
        ValueRef::Blob(_) => return Err(anyhow!("a blob where none is expected")),
    })
}

/// A PostgreSQL column, read by its type.
pub(super) fn from_postgres(row: &tokio_postgres::Row, index: usize) -> Result<Value> {
    let ty = row.columns()[index].type_();
    if *ty == Type::VOID {
        // What a function called for its effect returns (pg_advisory_xact_lock).
        return Ok(Value::Null);
    }
    let value = match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(index)?
            .map(|n| Value::Int(n.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(index)?
            .map(|n| Value::Int(n.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.map(Value::Bool),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(index)?.map(Value::Text)
        }
        _ => return Err(anyhow!("column {index} is of an unexpected type {ty}")),
    };
    Ok(value.unwrap_or(Value::Null))
}

impl ToSql for Value {
    /// Written as the type the server expects of the parameter: an integer binds to a
    /// BIGINT or an INTEGER, a text to any text type.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(text) => text.as_str().to_sql(ty, out),
            Value::Int(n) => match *ty {
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let fits = match self {
            Value::Null => true,
            Value::Bool(_) => <bool as ToSql>::accepts(ty),
            Value::Text(_) => <&str as ToSql>::accepts(ty),
            Value::Int(_) => {
                <i64 as ToSql>::accepts(ty)
                    || <i32 as ToSql>::accepts(ty)
                    || <i16 as ToSql>::accepts(ty)
                    || <bool as ToSql>::accepts(ty)
            }
        };
        if !fits {
            return Err(format!("cannot bind {self:?} to a parameter of type {ty}").into());
        }
        self.to_sql(ty, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_what_they_were() {
        let row = Row(vec![
            Value::Int(7),
            Value::Null,
            Value::Text("ann".into()),
            Value::Int(1),
            Value::Bool(false),
        ]);
        assert_eq!(row.get::<i64>(0).unwrap(), 7);
        assert_eq!(row.get::<Option<i64>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "ann");
        assert!(row.get::<bool>(3).unwrap(), "SQLite's 1 is true");
        assert!(!row.get::<bool>(4).unwrap());
        assert!(row.get::<String>(0).is_err());
        assert!(row.get::<i64>(9).is_err());
    }

    #[test]
    fn parameters_become_values() {
        let name = String::from("ann");
        let none: Option<i64> = None;
        let values: Vec<Value> = params![1_i64, name, "x", true, none, Some(3_u32)]
            .iter()
            .map(|p| p.to_value())
            .collect();
        assert_eq!(
            values,
            [
                Value::Int(1),
                Value::Text("ann".into()),
                Value::Text("x".into()),
                Value::Bool(true),
                Value::Null,
                Value::Int(3)
            ]
        );
    }
}

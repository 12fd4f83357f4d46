//! One small builder for the statements whose text depends on what was asked (a filter
//! typed, a range given, a page's key): the text and its parameters grow together, so
//! that each `?` is bound where it is written. Each query is built from the conditions
//! given only, so that every one can use its index (an `?1 IS NULL OR …` condition
//! cannot).

use super::backend::value::{ToValue, Value};

/// A statement's text and its parameters, in the order of their bare `?`s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            params: Vec::new(),
        }
    }

    /// A chain of conditions joined by AND (`TRUE` until one is added).
    pub fn conditions() -> Sql {
        Sql::new("TRUE")
    }

    /// Appends `text`, its `?`s bound in order to `params`.
    pub fn push(&mut self, text: &str, params: impl IntoIterator<Item = Value>) -> &mut Sql {
        self.text.push_str(text);
        self.params.extend(params);
        debug_assert_eq!(
            self.text.matches('?').count(),
            self.params.len(),
            "one parameter per `?`: {}",
            self.text
        );
        self
    }

    /// ` AND condition`, every `?` of it bound to `value`.
    pub fn and(&mut self, condition: &str, value: impl ToValue) -> &mut Sql {
        let value = value.to_value();
        let count = condition.matches('?').count();
        self.push(" AND ", [])
            .push(condition, std::iter::repeat_n(value, count))
    }

    /// ` AND condition`, when there is a value for its `?`s.
    pub fn and_some(&mut self, condition: &str, value: Option<impl ToValue>) -> &mut Sql {
        match value {
            Some(value) => self.and(condition, value),
            None => self,
        }
    }

    /// Appends another statement's text and parameters.
    pub fn append(&mut self, other: &Sql) -> &mut Sql {
        self.push(&other.text, other.params.iter().cloned())
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn params(&self) -> &[Value] {
        &self.params
    }
}

/// The filter as the panes and the timeline match it: trimmed, folded (the columns it
/// is matched with are); `None` when blank.
pub fn filter_needle(filter: Option<&str>) -> Option<String> {
    filter
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(crate::model::folded)
}

/// `%text%` of the filter's needle, its wildcards escaped (for `LIKE … ESCAPE '\'`).
pub fn like_pattern(filter: Option<&str>) -> Option<String> {
    filter_needle(filter).map(|needle| format!("%{}%", escape_like(&needle)))
}

/// `text` with LIKE's wildcards and its escape character escaped.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_bind_their_values_where_they_are_written() {
        let mut sql = Sql::new("SELECT 1 FROM t WHERE ");
        let mut conditions = Sql::conditions();
        conditions
            .and("a = ?", 7_i64)
            .and_some("b = ?", None::<i64>)
            .and("(c LIKE ? OR d LIKE ?)", "%x%");
        sql.append(&conditions).push(" LIMIT ?", [Value::Int(3)]);
        assert_eq!(
            sql.text(),
            "SELECT 1 FROM t WHERE TRUE AND a = ? AND (c LIKE ? OR d LIKE ?) LIMIT ?"
        );
        assert_eq!(
            sql.params(),
            [
                Value::Int(7),
                Value::Text("%x%".into()),
                Value::Text("%x%".into()),
                Value::Int(3)
            ]
        );
    }

    #[test]
    fn a_blank_filter_is_no_filter_and_wildcards_are_literal() {
        assert_eq!(filter_needle(Some("  ")), None);
        assert_eq!(filter_needle(Some(" Éric ")), Some("éric".into()));
        assert_eq!(
            like_pattern(Some("50%_a\\b")),
            Some("%50\\%\\_a\\\\b%".into())
        );
    }
}

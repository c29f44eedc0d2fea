//! A serde deserializer over `application/x-www-form-urlencoded` pairs with Gogs' lenient typing.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::error::ApiError;

/// A form value that could not be typed; becomes a 422 naming the form key.
#[derive(Debug)]
pub struct FormError {
    pub field: String,
    pub classification: &'static str,
    pub message: String,
}

#[derive(Debug)]
struct RawError(String, &'static str);

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for RawError {}
impl de::Error for RawError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RawError(msg.to_string(), "DeserializationError")
    }
}

pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::Deserialization(e.to_string()))?;
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        grouped.entry(k.to_lowercase()).or_default().push(v);
    }
    let de = MapDeserializer::new(grouped.into_iter().map(|(k, v)| (k.clone(), FormValue { key: k, values: v })));
    T::deserialize(de).map_err(|e: RawError| {
        // Errors raised by a FormValue carry their key as a `key\u{0}` prefix.
        let (field, message) = match e.0.split_once('\u{0}') {
            Some((k, m)) => (k.to_string(), m.to_string()),
            None => (String::new(), e.0.clone()),
        };
        if e.1 == "DeserializationError" {
            return ApiError::Deserialization(message);
        }
        ApiError::from(FormError { field, classification: e.1, message })
    })
}

#[derive(Debug, Clone)]
struct FormValue {
    key: String,
    values: Vec<String>,
}

impl FormValue {
    fn last(&self) -> &str {
        self.values.last().map(String::as_str).unwrap_or("")
    }
    fn type_error(&self, classification: &'static str, what: &str) -> RawError {
        RawError(format!("{}\u{0}Value could not be parsed as {what}", self.key), classification)
    }
}

impl<'de> IntoDeserializer<'de, RawError> for FormValue {
    type Deserializer = FormValue;
    fn into_deserializer(self) -> FormValue {
        self
    }
}

macro_rules! parse_int {
    ($($method:ident => $visit:ident : $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
            let v = self.last().trim();
            let n: $ty = if v.is_empty() { 0 } else { v.parse().map_err(|_| self.type_error("IntegerTypeError", "integer"))? };
            visitor.$visit(n)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for FormValue {
    type Error = RawError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        visitor.visit_string(self.last().to_string())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        match self.last().trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "t" | "yes" => visitor.visit_bool(true),
            "off" | "false" | "0" | "f" | "no" | "" => visitor.visit_bool(false),
            _ => Err(self.type_error("BooleanTypeError", "boolean")),
        }
    }

    parse_int!(deserialize_i8 => visit_i64: i64, deserialize_i16 => visit_i64: i64, deserialize_i32 => visit_i64: i64,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u64: u64, deserialize_u16 => visit_u64: u64,
        deserialize_u32 => visit_u64: u64, deserialize_u64 => visit_u64: u64);

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        let v = self.last().trim();
        let n: f64 =
            if v.is_empty() { 0.0 } else { v.parse().map_err(|_| self.type_error("FloatTypeError", "float"))? };
        visitor.visit_f64(n)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RawError> {
        let key = self.key.clone();
        let items = self.values.into_iter().map(move |v| FormValue { key: key.clone(), values: vec![v] });
        visitor.visit_seq(SeqDeserializer::new(items))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, RawError> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::from_bytes;
    use crate::error::ApiError;

    #[derive(Deserialize, Debug, Default)]
    #[serde(default)]
    struct Sample {
        name: String,
        admin: Option<bool>,
        active: bool,
        limit: i64,
        emails: Vec<String>,
    }

    #[test]
    fn typed_leniently() {
        let s: Sample = from_bytes(b"name=al%20ice&admin=on&active=1&limit=7&emails=a@b.io&emails=c@d.io&x=1").unwrap();
        assert_eq!(s.name, "al ice");
        assert_eq!(s.admin, Some(true));
        assert!(s.active);
        assert_eq!(s.limit, 7);
        assert_eq!(s.emails, vec!["a@b.io", "c@d.io"]);
        let s: Sample = from_bytes(b"").unwrap();
        assert_eq!(s.admin, None);
    }

    #[test]
    fn type_errors_name_the_key() {
        match from_bytes::<Sample>(b"name=x&active=maybe") {
            Err(ApiError::Validation(v)) => {
                assert_eq!(v[0].field_names, vec!["active"]);
                assert_eq!(v[0].classification, "BooleanTypeError");
            }
            other => panic!("{other:?}"),
        }
        match from_bytes::<Sample>(b"limit=ten") {
            Err(ApiError::Validation(v)) => assert_eq!(v[0].classification, "IntegerTypeError"),
            other => panic!("{other:?}"),
        }
    }
}

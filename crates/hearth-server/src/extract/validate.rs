//! Binding rules (go-macaron/binding): each field reports only its first failing rule, fields in
//! declaration order, all failing fields together in one 422 array.

use crate::error::{ApiError, FieldError};
use crate::service::names::{is_alpha_dash_dot, is_valid_email};

#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field_names.iter().any(|f| f == field))
    }

    fn fail(&mut self, field: &str, classification: &str, message: &str) {
        if !self.failed(field) {
            self.errors.push(FieldError::new(field, classification, message));
        }
    }

    pub fn required(&mut self, field: &str, value: &str) -> &mut Self {
        if value.is_empty() {
            self.fail(field, "RequiredError", "Required");
        }
        self
    }

    pub fn alpha_dash_dot(&mut self, field: &str, value: &str) -> &mut Self {
        if !is_alpha_dash_dot(value) {
            self.fail(field, "AlphaDashDotError", "AlphaDashDot");
        }
        self
    }

    pub fn max_size(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        if value.chars().count() > max {
            self.fail(field, "MaxSizeError", "MaxSize");
        }
        self
    }

    /// A branch or tag name git accepts (Gitea's `GitRefName`); only checks non-empty values.
    pub fn git_ref_name(&mut self, field: &str, value: &str) -> &mut Self {
        if !value.is_empty() && !hearth_git::names::is_valid_ref_name(value) {
            self.fail(field, "GitRefNameError", "GitRefName");
        }
        self
    }

    /// Exactly `size` characters (`Size`).
    pub fn size(&mut self, field: &str, value: &str, size: usize) -> &mut Self {
        if value.chars().count() != size {
            self.fail(field, "SizeError", "Size");
        }
        self
    }

    /// Only checks non-empty values (an empty one is `Required`'s business).
    pub fn email(&mut self, field: &str, value: &str) -> &mut Self {
        if !value.is_empty() && !is_valid_email(value.trim()) {
            self.fail(field, "EmailError", "Email");
        }
        self
    }

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(std::mem::take(&mut self.errors))) }
    }
}

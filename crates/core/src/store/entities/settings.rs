//! `settings`: one row per setting, its value as JSON text.

use sea_orm::entity::prelude::*;

/// One setting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "settings")]
pub struct Model {
    /// Its name, e.g. `retention.keep_days`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// Its value as JSON (`null` for a rule switched off).
    pub value: String,
}

/// No ORM relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

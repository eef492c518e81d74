use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "datasets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub key: String,
    pub name: String,
    /// `observation`, `analysis` or `other`.
    pub kind: String,
    pub period: String,
    pub summary: String,
    pub summary_en: String,
    /// Files of challenges built on it are offered only to users who agreed to its terms.
    pub agreement_required: bool,
    pub terms: String,
    pub terms_en: String,
    pub terms_version: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

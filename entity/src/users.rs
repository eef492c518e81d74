use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    /// The username folded for uniqueness: `Alice` and `ａｌｉｃｅ` are one account.
    #[sea_orm(unique)]
    pub username_key: String,
    /// The username's confusable skeleton (UTS #39), unique: `аlice` with a Cyrillic `а` is refused beside
    /// `alice`. NULL only for an account that was confusable with an older one when the column came.
    #[sea_orm(unique)]
    pub username_skeleton: Option<String>,
    pub email: Option<String>,
    /// An argon2id PHC string; never a password.
    pub password_hash: String,
    /// `participant`, `judge` or `organizer`.
    pub role: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Demo data (PLAT-04): a fictional network loaded once, idempotently, only with `--demo`.
//! Loading is keyed on the government centre's slug: present means already loaded.

use rempart_domain::role::Role;
use rempart_storage::orgs::{self, NewOrganization};
use rempart_storage::persons::{self, NewPerson};
use rempart_storage::scope::Scope;
use rempart_storage::{grants, AuditContext, Store, StoreError};

/// The one password of every demo account: a fictional network, never real data.
pub const DEMO_PASSWORD: &str = "Rempart-demo-2026";

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub org_slug: &'static str,
}

pub const ORGS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "cgcd-demo",
        "Centre gouvernemental de cyberdéfense (démo)",
        "government_centre",
        None,
    ),
    (
        "cocd-capitale-demo",
        "Centre opérationnel de cyberdéfense — Capitale (démo)",
        "operational_centre",
        Some("cgcd-demo"),
    ),
    (
        "ministere-fictif-des-ressources",
        "Ministère fictif des Ressources",
        "public_body",
        Some("cocd-capitale-demo"),
    ),
    (
        "mfr-direction-des-ti",
        "Direction des technologies de l'information",
        "unit",
        Some("ministere-fictif-des-ressources"),
    ),
    (
        "mfr-direction-des-finances",
        "Direction des finances",
        "unit",
        Some("ministere-fictif-des-ressources"),
    ),
    (
        "mfr-direction-des-services-aux-citoyens",
        "Direction des services aux citoyens",
        "unit",
        Some("ministere-fictif-des-ressources"),
    ),
    (
        "agence-fictive-de-la-sante",
        "Agence fictive de la santé",
        "public_body",
        Some("cocd-capitale-demo"),
    ),
    (
        "afs-direction-des-ti",
        "Direction des technologies de l'information (AFS)",
        "unit",
        Some("agence-fictive-de-la-sante"),
    ),
    (
        "afs-direction-clinique",
        "Direction clinique",
        "unit",
        Some("agence-fictive-de-la-sante"),
    ),
    (
        "afs-direction-des-ressources-humaines",
        "Direction des ressources humaines",
        "unit",
        Some("agence-fictive-de-la-sante"),
    ),
];

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "admin@demo.rempart.quebec",
        name: "Alex Administrateur",
        role: Role::PlatformAdmin,
        org_slug: "cgcd-demo",
    },
    DemoAccount {
        email: "cgsi@demo.rempart.quebec",
        name: "Geneviève Gagnon",
        role: Role::GovernmentCiso,
        org_slug: "cgcd-demo",
    },
    DemoAccount {
        email: "dirigeant@demo.rempart.quebec",
        name: "Daniel Tremblay",
        role: Role::ChiefExecutive,
        org_slug: "ministere-fictif-des-ressources",
    },
    DemoAccount {
        email: "cdsi@demo.rempart.quebec",
        name: "Chloé Côté",
        role: Role::DelegatedCiso,
        org_slug: "ministere-fictif-des-ressources",
    },
    DemoAccount {
        email: "csio@demo.rempart.quebec",
        name: "Samuel Bouchard",
        role: Role::Ciso,
        org_slug: "ministere-fictif-des-ressources",
    },
    DemoAccount {
        email: "comsi@demo.rempart.quebec",
        name: "Marie Roy",
        role: Role::SecurityCoordinator,
        org_slug: "ministere-fictif-des-ressources",
    },
    DemoAccount {
        email: "rocd@demo.rempart.quebec",
        name: "Olivier Gauthier",
        role: Role::CyberdefenceLead,
        org_slug: "cocd-capitale-demo",
    },
    DemoAccount {
        email: "detenteur@demo.rempart.quebec",
        name: "Isabelle Morin",
        role: Role::Holder,
        org_slug: "mfr-direction-des-ti",
    },
    DemoAccount {
        email: "gestionnaire@demo.rempart.quebec",
        name: "Luc Lavoie",
        role: Role::Manager,
        org_slug: "mfr-direction-des-finances",
    },
    DemoAccount {
        email: "utilisateur@demo.rempart.quebec",
        name: "Sophie Fortin",
        role: Role::User,
        org_slug: "mfr-direction-des-services-aux-citoyens",
    },
    DemoAccount {
        email: "rprp@demo.rempart.quebec",
        name: "Nathalie Pelletier",
        role: Role::PrivacyOfficer,
        org_slug: "agence-fictive-de-la-sante",
    },
    DemoAccount {
        email: "comite.aiprp@demo.rempart.quebec",
        name: "Marc-André Bouchard",
        role: Role::Committee,
        org_slug: "agence-fictive-de-la-sante",
    },
    DemoAccount {
        email: "detentrice.finances@demo.rempart.quebec",
        name: "Hélène Lefebvre",
        role: Role::Holder,
        org_slug: "mfr-direction-des-finances",
    },
    DemoAccount {
        email: "detenteur.citoyens@demo.rempart.quebec",
        name: "Karine Dubé",
        role: Role::Holder,
        org_slug: "mfr-direction-des-services-aux-citoyens",
    },
    DemoAccount {
        email: "detentrice.afs@demo.rempart.quebec",
        name: "Julie Bergeron",
        role: Role::Holder,
        org_slug: "afs-direction-des-ti",
    },
    DemoAccount {
        email: "detenteur.clinique@demo.rempart.quebec",
        name: "Marc-André Caron",
        role: Role::Holder,
        org_slug: "afs-direction-clinique",
    },
    DemoAccount {
        email: "auditeur@demo.rempart.quebec",
        name: "Pierre Bélanger",
        role: Role::Auditor,
        org_slug: "cgcd-demo",
    },
];

/// Loads the demo network unless it is there; returns whether it loaded it now.
pub async fn load(store: &Store, password_hash: &str) -> Result<bool, StoreError> {
    match orgs::get_by_slug(store, Scope::LocalAdministrator, ORGS[0].0).await {
        Ok(_) => return Ok(false),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let mut w = store
        .write(AuditContext::system("rempart serve --demo"))
        .await?;
    let mut ids = std::collections::HashMap::new();
    for (slug, name, kind, parent) in ORGS {
        let parent_id = parent.and_then(|p| ids.get(p).copied());
        let org = orgs::create(
            &mut w,
            Scope::LocalAdministrator,
            &NewOrganization {
                name: (*name).to_owned(),
                slug: Some((*slug).to_owned()),
                kind: (*kind).to_owned(),
                parent_id,
            },
        )
        .await?;
        ids.insert(*slug, org.id);
    }
    for account in ACCOUNTS {
        let org_id = ids.get(account.org_slug).copied();
        let person = persons::create(
            &mut w,
            Scope::LocalAdministrator,
            &NewPerson {
                email: account.email.to_owned(),
                name: account.name.to_owned(),
                org_id,
                language: Some("fr".to_owned()),
            },
            password_hash,
            false,
        )
        .await?;
        grants::create(
            &mut w,
            Scope::LocalAdministrator,
            Some(person.id),
            org_id,
            account.role.as_str(),
        )
        .await?;
    }
    // A second designation: the agency's TI holder also holds its human-resources unit's
    // information.
    for (email, slug) in [(
        "detentrice.afs@demo.rempart.quebec",
        "afs-direction-des-ressources-humaines",
    )] {
        let person = persons::id_by_email_in(&mut w, email)
            .await?
            .ok_or(StoreError::NotFound)?;
        grants::create(
            &mut w,
            Scope::LocalAdministrator,
            Some(person),
            ids.get(slug).copied(),
            Role::Holder.as_str(),
        )
        .await?;
    }
    crate::demo_assets::load(&mut w, &ids).await?;
    crate::demo_risks::load(&mut w, &ids).await?;
    w.commit().await?;
    // Reports, incidents and alerts are written by the people who would make them, each in a
    // transaction of their own.
    crate::demo_gmvi::load(store).await?;
    crate::demo_privacy::load(store, rempart_web::time::today()).await?;
    Ok(true)
}

# Vulnérabilités : scores CVSS, importations de rapports d’analyse, avis.

## Scores CVSS
cvss-severity-none = aucune
cvss-severity-low = faible
cvss-severity-medium = moyenne
cvss-severity-high = élevée
cvss-severity-critical = critique
cvss-base = de base
cvss-temporal = temporel
cvss-environmental = environnemental
cvss-overall = score
cvss-error-empty = Vecteur CVSS vide.
cvss-error-too-long = Vecteur CVSS trop long (512 caractères au plus).
cvss-error-prefix = Ce n’est pas un vecteur CVSS : il doit commencer par CVSS:3.0/, CVSS:3.1/ ou CVSS:4.0/.
cvss-error-version = Version CVSS « { $value } » non prise en charge (3.0, 3.1 ou 4.0).
cvss-error-component = Élément « { $value } » mal formé : attendu MÉTRIQUE:VALEUR.
cvss-error-unknown-metric = Métrique « { $metric } » inconnue dans cette version de CVSS.
cvss-error-invalid-value = Métrique { $metric } ({ $name }) : valeur « { $value } » invalide.
cvss-error-duplicate = Métrique { $metric } ({ $name }) donnée deux fois.
cvss-error-missing = Métrique obligatoire { $metric } ({ $name }) absente.
cvss-metric-AV = vecteur d’attaque
cvss-metric-AC = complexité de l’attaque
cvss-metric-AT = conditions préalables à l’attaque
cvss-metric-PR = privilèges requis
cvss-metric-UI = interaction de l’utilisateur
cvss-metric-S = portée
cvss-metric-C = impact sur la confidentialité
cvss-metric-I = impact sur l’intégrité
cvss-metric-A = impact sur la disponibilité
cvss-metric-VC = confidentialité du système vulnérable
cvss-metric-VI = intégrité du système vulnérable
cvss-metric-VA = disponibilité du système vulnérable
cvss-metric-SC = confidentialité des systèmes subséquents
cvss-metric-SI = intégrité des systèmes subséquents
cvss-metric-SA = disponibilité des systèmes subséquents
cvss-metric-E = maturité de l’exploitation
cvss-metric-RL = niveau de correction
cvss-metric-RC = fiabilité du rapport
cvss-metric-CR = exigence de confidentialité
cvss-metric-IR = exigence d’intégrité
cvss-metric-AR = exigence de disponibilité
cvss-metric-MAV = vecteur d’attaque modifié
cvss-metric-MAC = complexité de l’attaque modifiée
cvss-metric-MAT = conditions préalables modifiées
cvss-metric-MPR = privilèges requis modifiés
cvss-metric-MUI = interaction de l’utilisateur modifiée
cvss-metric-MS = portée modifiée
cvss-metric-MC = confidentialité modifiée
cvss-metric-MI = intégrité modifiée
cvss-metric-MA = disponibilité modifiée
cvss-metric-MVC = confidentialité modifiée du système vulnérable
cvss-metric-MVI = intégrité modifiée du système vulnérable
cvss-metric-MVA = disponibilité modifiée du système vulnérable
cvss-metric-MSC = confidentialité modifiée des systèmes subséquents
cvss-metric-MSI = intégrité modifiée des systèmes subséquents
cvss-metric-MSA = disponibilité modifiée des systèmes subséquents
cvss-metric-AU = automatisable
cvss-metric-R = récupération
cvss-metric-V = densité de valeur
cvss-metric-RE = effort de réponse
cvss-metric-U = urgence selon le fournisseur
cvss-metric-v4-S = sécurité des personnes

## Vulnérabilités : listes, fiche, importation
nav-vulnerabilities = Vulnérabilités
vulns-title = Vulnérabilités
vulns-none = Aucune vulnérabilité ne correspond à ces critères.
vuln-search = Rechercher (titre, CVE, hôte, paquet)
vuln-filter-kev = Exploitées selon la CISA (KEV)
vuln-filter-overdue = En retard
vuln-export = Exporter la liste :
vuln-sheet = Vulnérabilités
vuln-no-asset = aucun actif
vuln-kev = KEV, échéance
vuln-col-id = N°
vuln-col-org = Organisation
vuln-col-title = Titre
vuln-col-rule = Règle
vuln-col-source = Source
vuln-col-host = Hôte ou cible
vuln-col-asset = Actif
vuln-col-port = Port
vuln-col-package = Paquet
vuln-col-fixed-version = Version corrigée
vuln-col-cves = CVE
vuln-col-severity = Sévérité
vuln-col-score = Score
vuln-col-vector = Vecteur CVSS
vuln-col-status = Statut
vuln-col-due = Échéance de correction
vuln-col-kev-due = Échéance CISA (KEV)
vuln-col-first-seen = Vue la première fois
vuln-col-last-seen = Vue la dernière fois
vuln-col-location = Emplacement
vuln-status-open = ouverte
vuln-status-in_remediation = en correction
vuln-status-risk_accepted = risque accepté
vuln-status-fixed = corrigée
vuln-status-false_positive = faux positif
vuln-description = Description
vuln-solution = Correctif
vuln-evidence = Sortie de l’outil
vuln-vectors = Vecteurs fournis
vuln-history = Historique
vuln-history-when = Date
vuln-history-why = Motif
vuln-history-created = trouvée par une analyse
vuln-history-absent = absente d’une nouvelle analyse du même hôte
vuln-history-reopened = revue par une nouvelle analyse
vuln-import-title = Importer un rapport d’analyse
vuln-import-help = Rapports Nessus (.nessus), Greenbone/OpenVAS (XML), Trivy (JSON) ou SARIF 2.1.0. L’importation est faite en une seule transaction : un fichier refusé n’enregistre rien. Un constat déjà connu est mis à jour, un constat absent d’une nouvelle analyse du même hôte est marqué corrigé, un constat corrigé qui revient est rouvert.
vuln-import-file = Fichier
vuln-import-file-hint = Au plus { $size } Mio par cette page ; au-delà, utilisez la commande « rempart import scan » ou l’API.
vuln-import-format = Format
vuln-import-format-detect = Reconnu d’après le contenu
vuln-import-min-severity = Conserver à partir de la sévérité
vuln-import-progress = Téléversement
vuln-import-submit = Importer
vuln-import-no-org = Choisissez l’organisation.
vuln-import-no-file = Choisissez le fichier du rapport.
vuln-imports = Importations récentes
vuln-imports-none = Aucune importation pour cette organisation.
vuln-import-findings = Constats lus
vuln-import-created = Nouveaux
vuln-import-seen-again = Revus
vuln-import-fixed = Corrigés
vuln-import-reopened = Rouverts
vuln-import-unmatched = Hôtes sans actif
vuln-import-result = Résultat de l’importation
vuln-import-done = Le rapport a été importé.
vuln-import-informational = { $count ->
        [one] dont un informatif, non conservé
       *[other] dont { $count } informatifs, non conservés
    }
vuln-import-hosts = Hôtes ou cibles
vuln-import-key = Clé
vuln-import-all-matched = Chaque hôte du rapport correspond à un actif.
vuln-import-unmatched-help = Aucun actif ne porte ces noms ou adresses. Ajoutez l’identifiant à l’actif concerné (nom d’hôte, FQDN ou adresse IP) ou créez l’actif : la prochaine importation les rattachera.
vuln-import-create-asset = Créer un actif

## Avis de sécurité (GMVI-07)
nav-advisories = Avis de sécurité
advisories-title = Avis de sécurité
advisories-help = Avis des fournisseurs et des CERT, importés en CSAF 2.0 ou saisis. Chaque avis est comparé aux composants logiciels des actifs (CPE, URL de paquet) ; le détenteur d’un actif visé est avisé.
advisories-only-matched = Seulement ceux qui visent un actif
advisories-filter = Filtrer
advisories-none = Aucun avis.
advisory-reference = Référence
advisory-title = Titre
advisory-publisher = Émetteur
advisory-version = Version
advisory-source = Provenance
advisory-source-csaf = document CSAF
advisory-source-manual = saisi
advisory-products = { $count ->
        [one] un produit
       *[other] { $count } produits
    }
advisory-url = Lien
advisory-updated = Mis à jour le
advisory-summary = Résumé
advisory-matches = Actifs visés
advisory-no-match = Aucun actif de l’organisation ne porte un composant que cet avis nomme.
advisory-matched-assets = Actifs visés
advisory-affected-assets = Touchés
advisory-status = État
advisory-status-affected = touché
advisory-status-under_investigation = à l’étude par le fournisseur
advisory-status-fix_available = correctif publié
advisory-matched-on = Composant de l’actif
advisory-products-matched = Produits de l’avis
advisory-holder = Détenteur
advisory-notified = Avisé le
advisory-not-notified = non avisé
advisory-severity-none = non précisée
advisory-new-title = Enregistrer un avis de sécurité
advisory-new-help = Importez le document CSAF 2.0 publié par le fournisseur, ou saisissez l’avis. Le même avis enregistré de nouveau (même émetteur, même référence) est mis à jour ; un document identique ne change rien.
advisory-csaf-title = Importer un document CSAF 2.0
advisory-csaf-file = Document CSAF (JSON)
advisory-csaf-hint = Au plus { $size } Mio.
advisory-csaf-submit = Importer
advisory-no-file = Choisissez le document CSAF.
advisory-manual-title = Saisir un avis
advisory-manual-errors = L’avis n’a pas été enregistré :
advisory-cves-hint = Identifiants CVE séparés par des espaces ou des virgules.
advisory-products-field = Produits visés
advisory-products-hint = Un produit par ligne : nom CPE 2.3 (cpe:2.3:a:fournisseur:produit:version:…) ou URL de paquet (pkg:npm/nom@version).
advisory-manual-submit = Enregistrer
advisory-match-subject = [{ $reference }] Avis de sécurité visant « { $asset } »
advisory-match-body = L’avis « { $title } » ({ $reference }) vise l’actif « { $asset } » dont vous êtes détenteur : { $status ->
        [affected] version touchée
        [under_investigation] à l’étude par le fournisseur
       *[fix_available] un correctif est publié, appliquez-le
    }. CVE : { $cves }.
error-url = Adresse web attendue (https://…).
error-cve = Identifiant CVE attendu (CVE-AAAA-NNNN).
error-product = Nom CPE 2.3 ou URL de paquet (pkg:…) attendu.

## Traitement des vulnérabilités (GMVI-04)
vuln-status-change = Changer l’état
vuln-status-refused = L’état n’a pas été changé :
vuln-status-done = L’état a été changé.
vuln-status-submit = Changer l’état
vuln-status-note-hint = Obligatoire pour accepter le risque, déclarer un faux positif ou rouvrir.
vuln-status-until-hint = Pour accepter le risque : au plus un an, par le détenteur de l’actif touché.
vuln-accepted-until = Risque accepté jusqu’au
vuln-field-status = État
vuln-field-note = Motif
vuln-field-accepted_until = Accepté jusqu’au
vuln-field-version = Version
vuln-history-acceptance-expired = acceptation du risque échue
error-vuln-transition = Cet état ne peut pas suivre l’état actuel.
error-vuln-holder-only = Seul le détenteur de l’actif touché peut accepter le risque.
error-vuln-staff-only = Seul le personnel de sécurité de l’organisme peut faire ce changement.
error-vuln-expiry = L’échéance doit être postérieure à aujourd’hui et au plus dans un an.
error-vuln-days = Un délai de 1 à { $limit } jours.
error-vuln-days-order = Les délais doivent croître de critique à faible.
error-vuln-percent = Une part de 10 à 100 %.
vuln-acceptance-expired-subject = Acceptation du risque échue : { $title }
vuln-acceptance-expired-body = L’acceptation du risque de la vulnérabilité « { $title } » sur l’actif « { $asset } » est échue depuis le { $until } : la vulnérabilité est rouverte. Corrigez-la ou acceptez de nouveau le risque.
vuln-overdue-holder-subject = Vulnérabilités en retard sur vos actifs
vuln-overdue-holder-body = { $count ->
        [one] Une vulnérabilité de vos actifs a dépassé son échéance de correction.
       *[other] { $count } vulnérabilités de vos actifs ont dépassé leur échéance de correction.
    }
vuln-overdue-staff-subject = Vulnérabilités en retard : { $org }
vuln-overdue-staff-body = { $count ->
        [one] Une vulnérabilité de { $org } a dépassé son échéance de correction (la nôtre ou celle de la CISA).
       *[other] { $count } vulnérabilités de { $org } ont dépassé leur échéance de correction (la nôtre ou celle de la CISA).
    }

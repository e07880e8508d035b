## Délais légaux (Loi sur l’accès, A-2.1) et calendrier

access-request-kind-documents = Demande d’accès aux documents
access-request-kind-personal-access = Demande d’accès à des renseignements personnels
access-request-kind-rectification = Demande de rectification de renseignements personnels
deadline-rule-access-answer = { $days } jours civils après la date de réception, ce jour non compté
deadline-rule-access-answer-extended = { $days } jours civils après la date de réception : le délai de 20 jours prolongé d’au plus 10 jours par un avis écrit au demandeur envoyé avant son expiration
deadline-rule-review-request = { $days } jours après la décision ou l’expiration du délai de réponse ; la Commission peut relever un demandeur en retard pour un motif raisonnable (art. 137)
deadline-rule-incident-retention = Inscription au registre des incidents de confidentialité conservée au moins { $years } ans après la date où l’organisme a pris connaissance de l’incident
deadline-certainty-verified = règle vérifiée dans le texte officiel
deadline-certainty-secondary = règle tirée d’une source secondaire : valeur par défaut, paramétrable
deadline-certainty-unverified = règle non vérifiée : valeur par défaut, paramétrable
deadline-calendar-interpretation-act = Loi d’interprétation (RLRQ, c. I-16, art. 52 et 61) et jours ajoutés par l’organisme
deadline-calendar-access-commission = Règles de procédure de la Commission d’accès à l’information (A-2.1, r. 6, art. 2) : jours fériés, 26 décembre, 2 janvier et samedis
deadline-calendar-none = Période de conservation : aucun report pour les jours fériés
deadline-label-from-access = Reçue le
deadline-label-from-decision = Décision du
deadline-label-from-expired = Délai de réponse expiré le
deadline-label-from-aware = Connaissance de l’incident le
deadline-label-due = Échéance
deadline-label-kept-until = Conservation jusqu’au
deadline-label-deletable-from = Suppression permise à compter du
deadline-label-rule = Règle
deadline-label-calendar = Calendrier
deadline-label-moved = Reportée, jours sautés
deadline-label-state = Situation au { $today }
deadline-state-running = { $days ->
    [0] dernier jour du délai
    [one] { $days } jour restant
   *[other] { $days } jours restants
}
deadline-state-deemed-refusal = délai expiré depuis { $days ->
    [one] { $days } jour
   *[other] { $days } jours
} : sans réponse, refus présumé, révisable par la Commission d’accès à l’information
deadline-state-elapsed = délai expiré depuis { $days ->
    [one] { $days } jour
   *[other] { $days } jours
}
deadline-error-out-of-range = Date hors de la plage que le produit représente.
deadline-error-extension-too-late = Avis de prolongation du { $sent } envoyé après l’échéance du { $due } : le délai ne peut plus être prolongé.
deadline-error-extension-before-receipt = Avis de prolongation du { $sent } antérieur à la réception de la demande le { $received }.
deadline-error-date = Date invalide « { $value } » pour { $field } (attendu : AAAA-MM-JJ).
day-off-sunday = dimanche
day-off-saturday = samedi
day-off-yearly = congé annuel du calendrier
day-off-added = jour ajouté par l’organisme
holiday-new-year = jour de l’An
holiday-good-friday = Vendredi saint
holiday-easter-monday = lundi de Pâques
holiday-patriots-day = Journée nationale des patriotes
holiday-fete-nationale = fête nationale du Québec
holiday-canada-day = fête du Canada
holiday-labour-day = fête du Travail
holiday-thanksgiving = Action de grâces
holiday-christmas = Noël
weekday-mon = lundi
weekday-tue = mardi
weekday-wed = mercredi
weekday-thu = jeudi
weekday-fri = vendredi
weekday-sat = samedi
weekday-sun = dimanche
deadline-state-answered-on-time = répondue dans le délai
deadline-state-answered-late = répondue après l’échéance
nav-deadlines = Délais légaux
deadlines-title = Délais légaux
deadlines-help = Calcule les délais de la Loi sur l’accès (A-2.1) selon les mêmes règles que les demandes et le registre : le jour de départ n’est pas compté, une échéance qui tombe un jour férié est reportée au jour suivant. Chaque résultat nomme sa règle et son article.
deadlines-rule-access-request = Réponse à une demande d’accès ou de rectification (art. 47, 98)
deadlines-rule-review-request = Demande de révision à la Commission d’accès à l’information (art. 135)
deadlines-rule-incident-retention = Conservation d’une inscription au registre des incidents de confidentialité
deadlines-field-rule = Délai
deadlines-field-kind = Nature de la demande
deadlines-kind-hint = Pour une demande d’accès ou de rectification seulement.
deadlines-field-date = Date de départ
deadlines-date-hint = Réception de la demande, date de la décision (ou fin du délai de réponse) ou prise de connaissance de l’incident, au format AAAA-MM-JJ.
deadlines-field-notice = Avis de prolongation envoyé le
deadlines-notice-hint = Facultatif : la date d’envoi de l’avis de prolongation de 10 jours, qui doit précéder l’échéance.
deadlines-field-silence = Révision d’une absence de réponse : la date de départ est la fin du délai de réponse
deadlines-submit = Calculer
deadlines-result = Résultat
deadlines-state = Situation aujourd’hui
deadlines-days-title = Jours chômés ajoutés
deadlines-days-help = Ces jours s’ajoutent aux jours fériés : aucune échéance n’y tombe. Ceux d’un organisme valent pour les unités sous lui.
deadlines-days-none = Aucun jour ajouté pour cette organisation.
deadlines-days-day = Jour
deadlines-days-reason = Motif
deadlines-days-org = Ajouté par
deadlines-days-edit = Jours ajoutés par cette organisation
deadlines-days-hint = Un jour par ligne : la date au format AAAA-MM-JJ, une espace, puis le motif (par exemple « 2026-12-24 Fermeture des bureaux »).
deadlines-days-submit = Enregistrer les jours
deadlines-days-done = Les jours chômés ont été enregistrés.
deadlines-days-line = Ligne { $line } : { $message }
deadline-error-answered-before-receipt = Réponse du { $answered } antérieure à la réception de la demande le { $received }.
error-access-request-closed = Cette demande est close : aucune étape ne peut s’y ajouter.
error-access-request-acknowledged = L’accusé de réception a déjà été envoyé.
error-access-request-extended = Le délai a déjà été prolongé une fois.
error-access-request-date-order = Cette date précède la réception ou l’étape précédente.
error-access-request-articles = Une décision qui refuse tout ou partie doit citer les dispositions invoquées.
error-access-request-articles-granted = Une décision qui accorde tout ne cite aucune restriction.
error-access-request-recourse = L’avis du droit de recours devant la Commission d’accès à l’information doit accompagner cette décision.

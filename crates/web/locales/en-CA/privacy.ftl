## Legal deadlines (Access Act, A-2.1) and calendar

access-request-kind-documents = Request for access to documents
access-request-kind-personal-access = Request for access to personal information
access-request-kind-rectification = Request for rectification of personal information
deadline-rule-access-answer = { $days } calendar days after the date of receipt, that day not counted
deadline-rule-access-answer-extended = { $days } calendar days after the date of receipt: the 20-day delay extended by at most 10 days by a written notice to the requester sent before it expires
deadline-rule-review-request = { $days } days after the decision or the expiry of the delay to answer; the Commission may relieve a late requester for a reasonable motive (s. 137)
deadline-rule-incident-retention = Entry in the register of confidentiality incidents kept at least { $years } years after the date the body became aware of the incident
deadline-certainty-verified = rule verified in the official text
deadline-certainty-secondary = rule from a secondary source: default value, configurable
deadline-certainty-unverified = unverified rule: default value, configurable
deadline-calendar-interpretation-act = Interpretation Act (CQLR, c. I-16, ss. 52 and 61) and days the body adds
deadline-calendar-access-commission = Rules of procedure of the Commission d'accès à l'information (A-2.1, r. 6, s. 2): holidays, 26 December, 2 January and Saturdays
deadline-calendar-none = Retention period: not moved for holidays
deadline-label-from-access = Received on
deadline-label-from-decision = Decision of
deadline-label-from-expired = Delay to answer expired on
deadline-label-from-aware = Incident known on
deadline-label-due = Deadline
deadline-label-kept-until = Kept until
deadline-label-deletable-from = Deletion allowed from
deadline-label-rule = Rule
deadline-label-calendar = Calendar
deadline-label-moved = Moved, days skipped
deadline-label-state = Status on { $today }
deadline-state-running = { $days ->
    [0] last day of the delay
    [one] { $days } day left
   *[other] { $days } days left
}
deadline-state-deemed-refusal = delay expired { $days ->
    [one] { $days } day
   *[other] { $days } days
} ago: with no answer, a deemed refusal the Commission d'accès à l'information may review
deadline-state-elapsed = delay expired { $days ->
    [one] { $days } day
   *[other] { $days } days
} ago
deadline-error-out-of-range = Date outside the range the product represents.
deadline-error-extension-too-late = Extension notice of { $sent } sent after the deadline of { $due }: the delay can no longer be extended.
deadline-error-extension-before-receipt = Extension notice of { $sent } before the request was received on { $received }.
deadline-error-date = Invalid date “{ $value }” for { $field } (expected: YYYY-MM-DD).
day-off-sunday = Sunday
day-off-saturday = Saturday
day-off-yearly = yearly day off of the calendar
day-off-added = day added by the body
holiday-new-year = New Year's Day
holiday-good-friday = Good Friday
holiday-easter-monday = Easter Monday
holiday-patriots-day = National Patriots' Day
holiday-fete-nationale = Fête nationale du Québec
holiday-canada-day = Canada Day
holiday-labour-day = Labour Day
holiday-thanksgiving = Thanksgiving
holiday-christmas = Christmas
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
deadline-state-answered-on-time = answered within the delay
deadline-state-answered-late = answered after the deadline
nav-deadlines = Legal deadlines
deadlines-title = Legal deadlines
deadlines-help = Computes the Access Act's (A-2.1) deadlines by the same rules as requests and the register: the starting day is not counted, a deadline that falls on a holiday moves to the next day. Each result names its rule and its section.
deadlines-rule-access-request = Answer to an access or rectification request (ss. 47, 98)
deadlines-rule-review-request = Review request to the Commission d'accès à l'information (s. 135)
deadlines-rule-incident-retention = Keeping an entry of the register of confidentiality incidents
deadlines-field-rule = Deadline
deadlines-field-kind = Kind of request
deadlines-kind-hint = For an access or rectification request only.
deadlines-field-date = Starting date
deadlines-date-hint = Receipt of the request, date of the decision (or end of the delay to answer) or awareness of the incident, as YYYY-MM-DD.
deadlines-field-notice = Extension notice sent on
deadlines-notice-hint = Optional: the date the 10-day extension notice was sent, which must come before the deadline.
deadlines-field-silence = Review of a silence: the starting date is the end of the delay to answer
deadlines-submit = Compute
deadlines-result = Result
deadlines-state = Status today
deadlines-days-title = Added days off
deadlines-days-help = These days are added to the holidays: no deadline falls on them. A body's days hold for the units below it.
deadlines-days-none = No day added for this organization.
deadlines-days-day = Day
deadlines-days-reason = Reason
deadlines-days-org = Added by
deadlines-days-edit = Days added by this organization
deadlines-days-hint = One day a line: the date as YYYY-MM-DD, a space, then the reason (for example “2026-12-24 Offices closed”).
deadlines-days-submit = Save the days
deadlines-days-done = The days off were saved.
deadlines-days-line = Line { $line }: { $message }
deadline-error-answered-before-receipt = Answer of { $answered } before the request was received on { $received }.
error-access-request-closed = This request is closed: no step can be added.
error-access-request-acknowledged = The acknowledgement of receipt was already sent.
error-access-request-extended = The delay was already extended once.
error-access-request-date-order = This date comes before the receipt or the previous step.
error-access-request-articles = A decision that refuses all or part must cite the provisions relied on.
error-access-request-articles-granted = A decision that grants everything cites no restriction.
error-access-request-recourse = The notice of the right of review by the Commission d'accès à l'information must go with this decision.

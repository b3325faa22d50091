# The audit report's words in English: the default, exactly as the
# reports have always read (their snapshots hold). Every key here is in
# ../ko/audit.ftl too; a test checks both.

title = Audit report
intro = Covers the { $events } events from seq 1 to seq { $seq } (head{" "}
intro-call = {" "}The calls section and the exceptions are narrowed to call{" "}
intro-call-rest = ; integrity and pools cover every call.
intro-as-of = {" "}The point was asked as a time: { $at } on { $clock } ({ $code }).
clock-business = business time
clock-ledger = ledger time
yes = yes
no = no
evidence-seq = seq { $seq }

## 1. Integrity

integrity = 1. Integrity
col-check = check
col-result = result
integrity-events-checked = events checked
integrity-head-hash = head hash
integrity-head-recorded-at = head recorded_at
integrity-empty-ledger = (empty ledger)
integrity-chain-verified = chain verified (order, links, hashes)
integrity-rules-verified = every event valid and within the rules
integrity-first-bad = first bad record
integrity-first-bad-at = seq { $seq }: { $reason }. This report covers the records before it.

## 2. Calls and tracks

calls = 2. Calls and tracks
calls-none = No call has been opened.
calls-status = Call { $status }, closes at{" "}
calls-published = . Published statistics (as the calls view):
calls-all = all
calls-track = track
calls-sector = sector { $sector }
col-breakdown = breakdown
col-applications = applications
col-requested-gpus = requested GPUs
col-requested-servers = requested servers
col-selected = selected
col-awarded-gpus = awarded GPUs
col-awarded-servers = awarded servers
col-selection-ratio = selection ratio
col-redistributed-gpus = redistributed GPUs
col-pending = pending
col-rejected = rejected
col-withdrawn = withdrawn
track-awards = Track { $track } of { $call }: awards in rank order
track-pool = Pool
track-rules = , { $gpus } GPUs; min_reviews { $min_reviews }, regional bonus { $bonus }, cap { $cap } bp per organization.
track-no-awards = No awards.
origin-redistributed-from = redistributed from
col-rank = rank
col-rank-score = rank score
col-award = award
col-application = application
col-organization = organization
col-origin = origin
col-granted-gpus = granted GPUs
col-held-gpus = held GPUs
col-state = state

## 3. Exceptions

exceptions = 3. Exceptions
exceptions-intro = { $n ->
    [one] { $count } exception. Each lists the events that prove it (seq and hash); recalled GPUs may await redistribution { $awaiting } days, a notice may stay open { $notice } days past its respond_by, and an appeal undecided { $appeal } days.
   *[other] { $count } exceptions. Each lists the events that prove it (seq and hash); recalled GPUs may await redistribution { $awaiting } days, a notice may stay open { $notice } days past its respond_by, and an appeal undecided { $appeal } days.
}
col-kind = kind
col-count = count
passed-over-by = { $application } ({ $org }), rank { $rank }, while { $rival } ({ $rival_org }), rank { $rival_rank }
passed-over-pending = { $higher ->
    [one] { $passed_over }, was pending; { $shown } pending application ranked higher.
   *[other] { $passed_over }, was pending; { $shown } pending applications ranked higher.
}
closing-still-open = still open at the end
closing-then-closed = then closed
share-near-cap = more than 90% of the cap
share-over-cap = over the cap
summary-award_out_of_rank_order = { $higher ->
    [one] Award { $award } went to { $passed_over }, ended up { $status }; { $shown } such application ranked higher.
   *[other] Award { $award } went to { $passed_over }, ended up { $status }; { $shown } such applications ranked higher.
}
summary-recall_without_evidence = { $reports ->
    [one] Recall { $recall } took { $gpus } GPUs from award { $award } ({ $org }), reason { $reason }, with no evidence before it ({ $shown } utilization report of the award before it).
   *[other] Recall { $recall } took { $gpus } GPUs from award { $award } ({ $org }), reason { $reason }, with no evidence before it ({ $shown } utilization reports of the award before it).
}
summary-redistribution_out_of_rank_order = Redistribution { $redistribution } gave { $gpus } GPUs of recall { $recall } to { $passed_over }
summary-recall_awaiting_too_long = Recall { $recall } (award { $award }, pool { $pool }): { $over } of its { $gpus } GPUs awaited redistribution longer than { $limit } days, the longest { $longest }; { $still } still awaiting at the end.
summary-org-share = { $org } holds { $held } of the { $track_gpus } GPUs of track { $track } of { $call } ({ $share } bp), { $against } of { $cap } bp.
summary-award_past_end = Award { $award } ({ $application }, { $org }) still holds { $gpus } GPUs, but its term ended at { $ends }; the last event occurred at { $last }.
summary-reviewer_conflict_of_interest = Reviewer { $reviewer } scored application { $application } of { $org } ({ $score } points) acting as { $actor }, a member of the applying organization.
summary-score_before_declared_conflict = Reviewer { $reviewer } scored application { $application } of { $org } ({ $score } points) before conflict { $conflict } ({ $source }) was declared with the { $with }.
summary-supplement_out_of_rank_order = Supplement { $supplement } gave { $gpus } more GPUs to award { $award } of { $passed_over }
summary-notice_overdue = Notice { $notice } ({ $gpus } GPUs of award { $award }, { $org }, { $reason }) stayed open { $overdue } past its respond_by { $respond_by }, more than { $limit } days; { $closing }.
summary-appeal_undecided_too_long = Appeal { $appeal } of application { $application } ({ $org }) stayed undecided { $open }, more than { $limit } days; { $closing }.
explain-award_out_of_rank_order = An AwardGranted to an application while another application of the same track, with a strictly higher rank at the end and at least the track's min_reviews scores, ends up rejected or still pending. One per such award; the best-ranked such application is named.
explain-recall_without_evidence = A recall (reason other than withdrawal) with no evidence recorded before it: neither a utilization report of that award with off_purpose_use, nor two reports of that award adjacent in period order both strictly below 5000 bp.
explain-redistribution_out_of_rank_order = A Redistributed (top-ups included) to an application ranked below another application of the same track that was pending at that moment with at least min_reviews scores.
explain-recall_awaiting_too_long = A recall some of whose GPUs awaited redistribution strictly longer than the set time (business time, from the recall to the event that cleared them, or to the end). One per recall.
explain-org_share_over_cap = At the end, an organization holds more of a capped track (max_org_share_bp below 10000) than the cap allows.
explain-org_share_near_cap = At the end, an organization holds more than 90% of the cap of a capped track, and at most the cap.
explain-award_past_end = An award (granted or redistributed) still active at the end whose ends_at is before the last event's occurred_at: nobody ended it.
explain-reviewer_conflict_of_interest = A ScoreRecorded whose actor is org:<org_id>:... with <org_id> exactly the organization that submitted the application.
explain-score_before_declared_conflict = A ScoreRecorded by a reviewer who later has a ConflictDeclared with that application or with its organization. One per score, with the first such conflict.
explain-supplement_out_of_rank_order = An AwardSupplemented to an award whose application ranks below another application of the same track that was pending at that moment with at least min_reviews scores.
explain-notice_overdue = A RecallNoticed still open (no exemption granted, no recall citing it, its award still active) strictly longer than the set time past its respond_by, to the event that closed it or to the end. One per notice.
explain-appeal_undecided_too_long = An AppealFiled still undecided strictly longer than the set time after it was filed, to its AppealDecided (or the application's withdrawal) or to the end. One per appeal.

## 4. Pools reconciled

pools = 4. Pools reconciled
pools-balanced = Every pool balanced after each of the { $steps } events that moved its GPUs, and at the end: capacity = held + awaiting redistribution + free, none negative, and held and awaiting agree with the sums over the awards and recalls.
pools-balanced-not-at-end = Every pool balanced at every step, but at the end the pools do not agree with the awards and recalls (see the table).
pools-failure = The pools do not reconcile. First failure after seq { $seq } (
pools-failure-figures = ): pool { $pool } has capacity { $capacity }, held { $held }, awaiting { $awaiting }, free { $free }.
col-pool = pool
col-capacity = capacity
col-held = held
col-awaiting-redistribution = awaiting redistribution
col-free = free
col-held-by-awards = held by awards
col-awaiting-by-recalls = awaiting by recalls
col-reconciled = reconciled

## The ledger's vocabulary, as the report quotes it

word-open = open
word-closed = closed
word-granted = granted
word-redistributed = redistributed
word-ended = ended
word-recalled = recalled
word-active = active
word-academia = academia
word-industry = industry
word-research = research
word-pending = pending
word-rejected = rejected
word-awarded = awarded
word-withdrawn = withdrawn
word-underutilization = underutilization
word-off_purpose_use = off_purpose_use
word-withdrawal = withdrawal
word-other = other
word-application = application
word-organization = organization
word-large = large
word-sme = sme
word-startup = startup
word-public = public
word-term_completed = term_completed
word-relinquished = relinquished
word-self_declared = self_declared
word-reported = reported
word-office_found = office_found
word-paper = paper
word-model = model
word-dataset = dataset
word-service = service
word-patent = patent

## The trace's lines, one per event type, and the parts events play

line-OrganizationRegistered = { $org } registered: { $sector }, { $size }, { $region }
line-ApplicationSubmitted = { $application } submitted by { $org } to track { $track } of { $call }: { $gpus } GPUs for { $purpose }, "{ $title }"
line-ScoreRecorded = { $application } scored { $score } by reviewer { $reviewer } (actor { $actor })
line-ApplicationRejected = { $application } rejected: { $reason }
line-ApplicationWithdrawn = { $application } withdrawn: { $reason }
line-AwardGranted = award { $award } granted to { $application } ({ $org }): { $gpus } GPUs, { $starts } to { $ends }
line-Redistributed = redistribution { $redistribution }: { $gpus } GPUs of recall { $recall } (from award { $from }) as award { $award } to { $application } ({ $org }), { $starts } to { $ends }
line-UtilizationReported = award { $award } used { $used } from { $from } to { $to }
line-UtilizationReported-off-purpose = award { $award } used { $used } from { $from } to { $to }, off-purpose use reported
line-RecallIssued = recall { $recall }: { $gpus } GPUs of award { $award } ({ $reason })
line-RecallIssued-notice = recall { $recall }: { $gpus } GPUs of award { $award } ({ $reason }), carrying out notice { $notice }
line-RecallReleased = recall { $recall }: { $gpus } GPUs released to the pool ({ $reason })
line-AwardEnded = award { $award } ended ({ $reason })
line-PoolRegistered = pool { $pool } registered
line-PoolResized = pool { $pool } resized to { $gpus } GPUs
line-CallOpened = call { $call } opened
line-CallClosed = call { $call } closed
line-ReviewerRegistered = reviewer { $reviewer } registered
line-ConflictDeclared = conflict { $conflict }: reviewer { $reviewer } with { $with } ({ $source })
line-RecallNoticed = notice { $notice }: { $gpus } GPUs of award { $award } ({ $reason }), respond by { $respond_by }
line-ExemptionRequested = exemption requested on notice { $notice }: { $reason }
line-ExemptionDecided-granted = exemption on notice { $notice } granted: { $reason }
line-ExemptionDecided-refused = exemption on notice { $notice } refused: { $reason }
line-AppealFiled = appeal { $appeal } of the rejection of { $application }: { $reason }
line-AppealDecided-upheld = appeal { $appeal } upheld: { $reason }
line-AppealDecided-dismissed = appeal { $appeal } dismissed: { $reason }
line-AwardExtended = award { $award } extended to { $ends }: { $reason }
line-AwardSupplemented = supplement { $supplement }: { $gpus } more GPUs for award { $award } ({ $reason })
line-OutputReported = output { $output } of award { $award }: { $kind } "{ $title }"
role-organization = organization
role-application = application
role-score = score
role-application-closed = application closed
role-award = award
role-utilization = utilization
role-recall = recall
role-redistributed-out = recalled GPUs lent again
role-released = recalled GPUs released
role-ended = award ended
role-origin-recall = origin: recall
role-origin-award = origin: award recalled
role-conflict = conflict declared
role-appeal = appeal
role-appeal-decided = appeal decided
role-notice = recall notice
role-exemption-requested = exemption requested
role-exemption-decided = exemption decided
role-extended = award extended
role-supplemented = award supplemented
role-output = output
purpose-research = research
purpose-service-development = service_development
purpose-model-development = model_development

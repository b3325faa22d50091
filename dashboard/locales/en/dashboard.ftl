# The dashboard's words in English: the default, and the words the pages
# were written with. Every key here is in ../ko/dashboard.ftl too (a test
# checks both, and every key the code uses). Placeables that hold markup
# (a strong figure, a link, a code span) are filled in by the page.

## The frame of every page

site-title = gpu-ledger · national GPU-support programme
page-programme = Programme
page-due = Due
page-calls = Calls
page-holdings = Holdings
page-utilization = Utilization
page-concentration = Concentration
page-events = Events
go = Go
history-now = Now: after record { $seq } (the ledger's head).
history-then = As it was after record { $seq } of { $head }.
history-back-to-now = Back to now
history-move = Move through history: record
history-show = Show
history-after-record = or after record
history-as-of = or as of a business time (the events that had occurred by then, RFC 3339):
chart-of = { $value } of { $total }
chart-at = { $name } at { $x }: { $y }

## Column titles shared by the pages' tables

col-active-awards = active awards
col-appeal = appeal
col-application = application
col-award = award
col-business-time = business time
col-call-and-track = call and track
col-cap = cap
col-capital = capital
col-days = days
col-days-waiting = days waiting
col-decide-by = decide by
col-ends = ends
col-exemption = exemption
col-filed = filed
col-from = from
col-gpus = GPUs
col-gpu-days = GPU-days
col-gpus-held = GPUs held
col-granted = granted
col-hash = hash
col-holds = holds
col-kind = kind
col-largest-holder-share = largest holder's share of the track
col-latest-appeal = latest appeal
col-latest-utilization = latest utilization
col-low-periods = low periods in a row
col-next = next
col-non-capital = non-capital
col-notice = notice
col-noticed = noticed
col-organization = organization
col-organizations = organizations
col-output = output
col-outputs = outputs
col-part = part
col-per-output = per output
col-prev = prev
col-reason = reason
col-recall = recall
col-recall-notice = recall notice
col-recalled = recalled
col-record = record
col-recorded-at = recorded at
col-reference = reference
col-region = region
col-reported = reported
col-requested = requested
col-respond-by = respond by
col-scope = scope
col-sector = sector
col-servers = servers
col-stands = stands
col-state = state
col-status = status
col-supplemented = supplemented
col-title = title
col-top5-share = top-5 share
col-top5-share-title = Top-5 share
col-type = type
col-what = what
col-when = when
col-where-they-went = where they went

## The ledger's vocabulary: in English as the views write it

word-academia = academia
word-industry = industry
word-research = research
word-capital = capital
word-non-capital = non_capital
word-open = open
word-closed = closed
word-pending = pending
word-awarded = awarded
word-rejected = rejected
word-withdrawn = withdrawn
word-underutilization = underutilization
word-off-purpose-use = off_purpose_use
word-withdrawal = withdrawal
word-other = other
word-requested = requested
word-refused = refused
word-none = none
word-paper = paper
word-model = model
word-dataset = dataset
word-service = service
word-patent = patent
word-owned = owned
word-leased = leased

## Programme

chain = Chain
chain-record = Record
chain-hash = hash
chain-recorded = recorded
chain-latest-events = latest events
chain-head-is = The ledger's head is record #{ $seq } ({ $hash }).
checkpoint-latest = Latest signed checkpoint, at tree size { $size } ({ $link }):
checkpoint-as-text = as text
checkpoint-none = No checkpoint has been signed yet.
round = The round
pools = Pools
pools-gpus-in-all = GPUs in all pools
pools-held-by-active-awards = held by active awards
pools-gpus-held-by-active-awards = GPUs held by active awards
pools-awaiting-redistribution = awaiting redistribution
pools-recalled-awaiting = recalled, awaiting redistribution
pools-free = free
pools-held = held
pools-awaiting = awaiting
pools-chart = { $pool }: held, awaiting redistribution and free GPUs
pools-axis = GPUs (every pool on one scale)
pools-source = source
pools-per-server = per server
pools-capacity = capacity
pools-none = No pool is registered yet.
exceptions = Audit exceptions
exceptions-running = The audit of this record is running; reload in a moment.
exceptions-running-showing = The audit up to this record is running; this is the audit up to record #{ $seq }.
exceptions-failed = The audit could not be made:
exceptions-count = { $n ->
    [one] { $count } exception up to record #{ $seq } ({ $command }).
   *[other] { $count } exceptions up to record #{ $seq } ({ $command }).
}
exceptions-kind = kind
exceptions-found = found
exceptions-first = The first { $shown } of { $total }, in the report's order; the CSV has them all.
exceptions-what = what was found
exceptions-events = events that prove it

## Due

due-judged-at = Deadlines judged at { $now }
due-judged-at-last-event = , the business time of the last event shown.
due-judged-as-asked = , as asked.
due-no-event = (no event yet)
due-judge-at = Judge at (RFC 3339):
due-open-notices = open recall notices
due-past-respond-by = of them past their respond-by
due-exemption-requests = exemption requests to decide
due-open-appeals = open appeals
due-appeals-overdue = appeals past their decision date
due-awards-ending = awards ending within { $days } days
due-awards-past-end = active awards past their end
due-awards-ending-title = Awards ending within { $days } days
due-awards-past-end-title = Active awards past their end (the ledger ends nothing by itself)
due-days-left = { $days } left
due-days-overdue = { $days } overdue
due-action-decide-exemption = decide the exemption request
due-action-may-recall = may recall now
due-action-wait = wait for the holder's answer
due-first = The first { $shown } of { $total }; the CSV has them all.
due-notices = Open recall notices
due-notices-none = No recall notice is open.
due-exemption-requests-title = Exemption requests to decide
due-exemption-requests-none = No exemption request is waiting.
due-notice-open = open
due-notice-closed-since = closed since
due-appeals-title = Open appeals (to decide within { $days } days of filing)
due-appeals-none = No appeal is open.
due-none = None.

## Calls

calls-none = No call is open yet.
calls-status = Status: { $status } · closes { $closes }
calls-applications = applications
calls-gpus-requested = GPUs requested
calls-selected = selected
calls-gpus-awarded = GPUs awarded
calls-selection-ratio = selection ratio
calls-gpus-redistributed = GPUs redistributed
calls-all-tracks = All tracks
calls-track = Track { $track } ({ $gpus } GPUs)
calls-sector = Sector: { $sector }
calls-chart = { $call }: GPUs requested and awarded by sector
calls-requested = requested
calls-awarded = awarded
calls-axis-gpus = GPUs

## Holdings and outputs

holdings-organizations-holding = organizations holding
holdings-by-sector = By sector
holdings-by-region = By region
holdings-by-track = By track
holdings-by-organization = By organization
holdings-chart-sector = GPUs held by sector
holdings-chart-region = GPUs held by region
holdings-chart-track = GPUs held by track
holdings-chart-organizations = GPUs held by the organizations listed
holdings-find = Find an organization (id or name):
holdings-search = Search
holdings-clear = clear
holdings-largest = The { $shown } largest of { $total } organizations holding GPUs.
holdings-found = { $found } found for “{ $search }”.
holdings-found-first = { $found } found for “{ $search }” (the first { $max }).
outputs-title = Outputs and the GPU-days held for them
outputs-reported = outputs reported
outputs-gpu-days-every-award = GPU-days held by every award
outputs-gpu-days-per-output = GPU-days per output
outputs-gpu-days-note = GPU-days count what each award held from its grant to its end, or to the last event for an active one, in business time.
outputs-listed = Outputs reported
outputs-none = No output has been reported yet.
outputs-first = The first { $shown } of { $total } by id.

## Utilization

utilization-no-report = no report
utilization-latest = Latest utilization of active awards
utilization-candidates-count = recall candidates
utilization-low-under = a period is low under
utilization-periods = low periods in a row make a candidate
utilization-chart = Active awards by their latest reported utilization
utilization-axis-latest = latest reported utilization
utilization-candidates = Recall candidates
utilization-candidates-none = No active award is a recall candidate.
utilization-candidates-first = The first { $shown } of { $total } candidates; the CSV has them all.
utilization-awards-csv = Every active award, with its reports, is in the { $link }.
utilization-awards-csv-link = awards CSV
utilization-recalls = Latest recalls and where their GPUs went
utilization-recalls-incomplete = History is still being computed; recalls may be missing. Reload in a moment.
utilization-recalls-none = No GPUs have been recalled.
utilization-recalls-latest = The latest { $shown } of { $total } recalls, newest first.
utilization-recall-award = award { $award } · { $pool }
utilization-moved-to = { $gpus } GPUs to { $name } { $org } ({ $application })
utilization-released = { $gpus } GPUs released to the pool
utilization-awaiting = { $gpus } GPUs awaiting redistribution

## Concentration

concentration-top5-of-held = top-5 share of GPUs held
concentration-hhi-range = HHI (0–10,000)
concentration-capital-region = capital region
concentration-non-capital-regions = non-capital regions
concentration-scopes = Programme-wide and per track
concentration-series-programme = programme
concentration-over-time = Over time
concentration-every-week = One point at the end of each week of business time (Monday to Sunday, UTC), and the page's point.
concentration-every-events = One point every 1,000 events, and the page's point.
concentration-per-week = Per week instead
concentration-per-events = Per 1,000 events instead
concentration-incomplete = History is still being computed; earlier points are missing. Reload in a moment.
concentration-chart-hhi = HHI over time, programme-wide and on the largest tracks
concentration-chart-top5 = Top-5 share over time
concentration-capital-share = Capital region's share
concentration-chart-capital = Capital region's share of GPUs held over time
concentration-axis-record = record (seq)
concentration-axis-week = business time (week ending)
concentration-axis-capital-share = capital region's share of GPUs held
concentration-latest-points = Latest points

## Events

events-latest = { $n ->
    [one] The latest { $count } record, newest first.
   *[other] The latest { $count } records, newest first.
}
events-live = New records appear as they are appended (head: { $head }).
events-trace = trace
events-empty = The ledger is empty.
events-older = ← older: up to #{ $seq }
events-newer = newer: up to #{ $seq } →
events-newer-head = newer: up to the head, #{ $seq } →
events-record-title = Record #{ $seq }
events-programme-then = the programme as it was after this record
events-canonical = Event (canonical JSON, as hashed)
events-indented = indented

## Traces and where their subject stands

trace-title = Trace of { $kind } { $id }
trace-of-award = award
trace-of-application = application
trace-of-organization = organization
trace-events = { $n ->
    [one] { $count } event of the ledger up to record #{ $seq } (hash { $hash }), as { $command } tells it.
   *[other] { $count } events of the ledger up to record #{ $seq } (hash { $hash }), as { $command } tells it.
}
standing-title = Where it stands after record #{ $seq }
standing-active = active
standing-no-longer-active = no longer active
standing-never-appealed = never appealed
stands-carried-out = carried out by a recall
stands-exemption-granted = closed: exemption granted
stands-award-ended = closed: the award is no longer active
stands-exemption-requested = open: exemption requested, undecided
stands-exemption-refused = open: exemption refused, may be recalled
stands-open = open
stands-appeal-open = open, undecided
stands-appeal-upheld = upheld: the application was pending again
stands-appeal-dismissed = dismissed: the rejection stands
stands-appeal-withdrawn = closed by the application's withdrawal

## Signing in

login-title = Sign in
login-heading = gpu-ledger dashboard
login-needs-token = This server needs a token. Any role may read the dashboard; no page changes the ledger.
login-refused = That token is not valid for this server.
login-token = Token
login-cookie = The token is kept in a cookie of this browser only until it is closed or you sign out.
login-not-needed = No sign-in needed
login-local-mode = This server runs in local mode: every page is open without a token.
login-refused-title = Sign-in refused
login-refused-advice = { $why }: open this server's own form at /login and sign in there.
login-no-form = No sign-in form
login-no-randomness = The server has no randomness for the form right now: try again.

# 대시보드의 한국어 문구. 키는 ../en/dashboard.ftl 과 같다(테스트가
# 확인한다). 사업의 용어를 쓴다: 공모(call), 과제(application),
# 선정(selection), 배정(award), 회수(recall), 재배분(redistribution),
# 학계/산업계/연구계(academia/industry/research).

## 모든 화면의 틀

site-title = gpu-ledger · 국가 GPU 지원 사업
page-programme = 사업 현황
page-due = 처리 기한
page-calls = 공모
page-holdings = 보유 현황
page-utilization = 활용률
page-concentration = 집중도
page-events = 이벤트
go = 이동
history-now = 현재: 레코드 { $seq } 이후 (원장의 최신 레코드).
history-then = 전체 { $head }건 중 레코드 { $seq } 이후 시점의 상태.
history-back-to-now = 현재로 돌아가기
history-move = 이력 이동: 레코드
history-show = 보기
history-after-record = 또는 레코드 번호
history-as-of = 또는 업무 기준 시각 (그 시각까지 일어난 이벤트, RFC 3339):
chart-of = { $total } 중 { $value }
chart-at = { $name }, { $x }: { $y }

## 표의 열 제목

col-active-awards = 유효 배정
col-appeal = 이의신청
col-application = 과제
col-award = 배정
col-business-time = 업무 시각
col-call-and-track = 공모 및 트랙
col-cap = 상한
col-capital = 수도권
col-days = 일수
col-days-waiting = 대기 일수
col-decide-by = 결정 기한
col-ends = 종료일
col-exemption = 면제
col-filed = 제기일
col-from = 회수 대상
col-gpus = GPU
col-gpu-days = GPU-일
col-gpus-held = 보유 GPU
col-granted = 배정
col-hash = 해시
col-holds = 보유
col-kind = 유형
col-largest-holder-share = 트랙 내 최대 보유 기관 비중
col-latest-appeal = 최근 이의신청
col-latest-utilization = 최근 활용률
col-low-periods = 연속 저활용 기간
col-next = 다음 조치
col-non-capital = 비수도권
col-notice = 예고
col-noticed = 예고일
col-organization = 기관
col-organizations = 기관 수
col-output = 성과
col-outputs = 성과
col-part = 역할
col-per-output = 성과당
col-prev = 이전 해시
col-reason = 사유
col-recall = 회수
col-recall-notice = 회수 예고
col-recalled = 회수
col-record = 레코드
col-recorded-at = 기록 시각
col-reference = 참조
col-region = 지역
col-reported = 보고일
col-requested = 신청일
col-respond-by = 소명 기한
col-scope = 범위
col-sector = 부문
col-servers = 서버
col-stands = 상태
col-state = 상태
col-status = 상태
col-supplemented = 추가 배정
col-title = 제목
col-top5-share = 상위 5개 기관 비중
col-top5-share-title = 상위 5개 기관 비중
col-type = 유형
col-what = 내용
col-when = 일시
col-where-they-went = 재배분 내역

## 원장의 용어

word-academia = 학계
word-industry = 산업계
word-research = 연구계
word-capital = 수도권
word-non-capital = 비수도권
word-open = 접수 중
word-closed = 마감
word-pending = 심사 중
word-awarded = 선정
word-rejected = 미선정
word-withdrawn = 철회
word-underutilization = 저활용
word-off-purpose-use = 목적 외 사용
word-withdrawal = 과제 철회
word-other = 기타
word-requested = 신청됨
word-refused = 거부됨
word-none = 없음
word-paper = 논문
word-model = 모델
word-dataset = 데이터셋
word-service = 서비스
word-patent = 특허
word-owned = 자체 보유
word-leased = 임차

## 사업 현황

chain = 해시 체인
chain-record = 레코드
chain-hash = 해시
chain-recorded = 기록 시각
chain-latest-events = 최근 이벤트
chain-head-is = 원장의 최신 레코드는 #{ $seq } ({ $hash }) 입니다.
checkpoint-latest = 최근 서명된 체크포인트, 트리 크기 { $size } ({ $link }):
checkpoint-as-text = 텍스트로 보기
checkpoint-none = 아직 서명된 체크포인트가 없습니다.
round = 공모 현황
pools = GPU 풀
pools-gpus-in-all = 전체 풀의 GPU
pools-held-by-active-awards = 유효 배정이 보유
pools-gpus-held-by-active-awards = 유효 배정이 보유한 GPU
pools-awaiting-redistribution = 재배분 대기
pools-recalled-awaiting = 회수되어 재배분 대기
pools-free = 여유
pools-held = 보유
pools-awaiting = 재배분 대기
pools-chart = { $pool }: 보유, 재배분 대기, 여유 GPU
pools-axis = GPU (모든 풀을 같은 척도로)
pools-source = 구분
pools-per-server = 서버당
pools-capacity = 용량
pools-none = 아직 등록된 풀이 없습니다.
exceptions = 감사 예외 사항
exceptions-running = 이 레코드까지의 감사를 진행 중입니다. 잠시 후 새로 고치십시오.
exceptions-running-showing = 이 레코드까지의 감사를 진행 중이며, 아래는 레코드 #{ $seq }까지의 감사 결과입니다.
exceptions-failed = 감사를 수행할 수 없습니다:
exceptions-count = 레코드 #{ $seq }까지 예외 사항 { $count }건 ({ $command }).
exceptions-kind = 유형
exceptions-found = 건수
exceptions-first = 보고서 순서로 { $total }건 중 처음 { $shown }건입니다. 전체는 CSV에 있습니다.
exceptions-what = 확인된 내용
exceptions-events = 근거 이벤트

## 처리 기한

due-judged-at = 기한 판단 기준 시각: { $now }
due-judged-at-last-event = { " " }(표시된 마지막 이벤트의 업무 시각)
due-judged-as-asked = { " " }(지정한 시각)
due-no-event = (아직 이벤트 없음)
due-judge-at = 기준 시각 지정 (RFC 3339):
due-open-notices = 진행 중인 회수 예고
due-past-respond-by = 그중 소명 기한 경과
due-exemption-requests = 결정할 면제 신청
due-open-appeals = 진행 중인 이의신청
due-appeals-overdue = 결정 기한이 지난 이의신청
due-awards-ending = { $days }일 이내 종료 배정
due-awards-past-end = 종료일이 지난 유효 배정
due-awards-ending-title = { $days }일 이내에 종료되는 배정
due-awards-past-end-title = 종료일이 지난 유효 배정 (원장은 스스로 종료하지 않음)
due-days-left = { $days }일 남음
due-days-overdue = { $days }일 경과
due-action-decide-exemption = 면제 신청 결정
due-action-may-recall = 지금 회수 가능
due-action-wait = 보유 기관의 소명 대기
due-first = { $total }건 중 처음 { $shown }건입니다. 전체는 CSV에 있습니다.
due-notices = 진행 중인 회수 예고
due-notices-none = 진행 중인 회수 예고가 없습니다.
due-exemption-requests-title = 결정할 면제 신청
due-exemption-requests-none = 대기 중인 면제 신청이 없습니다.
due-notice-open = 진행 중
due-notice-closed-since = 이후 종결
due-appeals-title = 진행 중인 이의신청 (제기 후 { $days }일 이내 결정)
due-appeals-none = 진행 중인 이의신청이 없습니다.
due-none = 없음.

## 공모

calls-none = 아직 진행 중인 공모가 없습니다.
calls-status = 상태: { $status } · 마감 { $closes }
calls-applications = 신청 과제
calls-gpus-requested = 신청 GPU
calls-selected = 선정 과제
calls-gpus-awarded = 배정 GPU
calls-selection-ratio = 선정률
calls-gpus-redistributed = 재배분 GPU
calls-all-tracks = 전체 트랙
calls-track = 트랙 { $track } (GPU { $gpus }개)
calls-sector = 부문: { $sector }
calls-chart = { $call }: 부문별 신청 및 배정 GPU
calls-requested = 신청
calls-awarded = 배정
calls-axis-gpus = GPU (개)

## 보유 현황과 성과

holdings-organizations-holding = 보유 기관
holdings-by-sector = 부문별
holdings-by-region = 지역별
holdings-by-track = 트랙별
holdings-by-organization = 기관별
holdings-chart-sector = 부문별 보유 GPU
holdings-chart-region = 지역별 보유 GPU
holdings-chart-track = 트랙별 보유 GPU
holdings-chart-organizations = 목록에 있는 기관의 보유 GPU
holdings-find = 기관 찾기 (ID 또는 이름):
holdings-search = 검색
holdings-clear = 지우기
holdings-largest = GPU를 보유한 기관 { $total }곳 중 상위 { $shown }곳.
holdings-found = “{ $search }” 검색 결과 { $found }곳.
holdings-found-first = “{ $search }” 검색 결과 { $found }곳 (처음 { $max }곳).
outputs-title = 성과와 이를 위해 보유한 GPU-일
outputs-reported = 보고된 성과
outputs-gpu-days-every-award = 전체 배정의 GPU-일
outputs-gpu-days-per-output = 성과당 GPU-일
outputs-gpu-days-note = GPU-일은 각 배정이 배정일부터 종료일까지(유효 배정은 마지막 이벤트까지) 업무 시각 기준으로 보유한 GPU를 셉니다.
outputs-listed = 보고된 성과
outputs-none = 아직 보고된 성과가 없습니다.
outputs-first = ID 순으로 { $total }건 중 처음 { $shown }건.

## 활용률

utilization-no-report = 보고 없음
utilization-latest = 유효 배정의 최근 활용률
utilization-candidates-count = 회수 후보
utilization-low-under = 저활용 기준
utilization-periods = 회수 후보가 되는 연속 저활용 기간
utilization-chart = 최근 보고된 활용률별 유효 배정
utilization-axis-latest = 최근 보고 활용률
utilization-candidates = 회수 후보
utilization-candidates-none = 회수 후보인 유효 배정이 없습니다.
utilization-candidates-first = 후보 { $total }건 중 처음 { $shown }건입니다. 전체는 CSV에 있습니다.
utilization-awards-csv = 모든 유효 배정과 그 보고는 { $link }에 있습니다.
utilization-awards-csv-link = 배정 CSV
utilization-recalls = 최근 회수와 GPU 재배분 내역
utilization-recalls-incomplete = 이력을 계산하는 중이라 일부 회수가 빠져 있을 수 있습니다. 잠시 후 새로 고치십시오.
utilization-recalls-none = 회수된 GPU가 없습니다.
utilization-recalls-latest = 회수 { $total }건 중 최근 { $shown }건, 최신순.
utilization-recall-award = 배정 { $award } · { $pool }
utilization-moved-to = GPU { $gpus }개를 { $name } { $org } ({ $application })에 재배분
utilization-released = GPU { $gpus }개를 풀로 반환
utilization-awaiting = GPU { $gpus }개 재배분 대기

## 집중도

concentration-top5-of-held = 보유 GPU 중 상위 5개 기관 비중
concentration-hhi-range = HHI (0–10,000)
concentration-capital-region = 수도권
concentration-non-capital-regions = 비수도권
concentration-scopes = 사업 전체 및 트랙별
concentration-series-programme = 사업 전체
concentration-over-time = 시간에 따른 변화
concentration-every-week = 업무 시각 기준 매주 말(월요일~일요일, UTC)마다 한 점, 그리고 이 화면의 시점.
concentration-every-events = 이벤트 1,000건마다 한 점, 그리고 이 화면의 시점.
concentration-per-week = 주 단위로 보기
concentration-per-events = 이벤트 1,000건 단위로 보기
concentration-incomplete = 이력을 계산하는 중이라 앞선 점이 빠져 있습니다. 잠시 후 새로 고치십시오.
concentration-chart-hhi = 시간에 따른 HHI, 사업 전체와 큰 트랙
concentration-chart-top5 = 시간에 따른 상위 5개 기관 비중
concentration-capital-share = 수도권 비중
concentration-chart-capital = 시간에 따른 보유 GPU 중 수도권 비중
concentration-axis-record = 레코드 (seq)
concentration-axis-week = 업무 시각 (주 마지막 날)
concentration-axis-capital-share = 보유 GPU 중 수도권 비중
concentration-latest-points = 최근 시점

## 이벤트

events-latest = 최근 레코드 { $count }건, 최신순.
events-live = 새 레코드는 추가되는 대로 표시됩니다 (최신: { $head }).
events-trace = 추적
events-empty = 원장이 비어 있습니다.
events-older = ← 이전: #{ $seq }까지
events-newer = 다음: #{ $seq }까지 →
events-newer-head = 다음: 최신 레코드 #{ $seq }까지 →
events-record-title = 레코드 #{ $seq }
events-programme-then = 이 레코드 직후의 사업 현황
events-canonical = 이벤트 (해시 대상인 정규 JSON)
events-indented = 들여쓰기로 보기

## 추적과 현재 상태

trace-title = { $kind } { $id } 추적
trace-of-award = 배정
trace-of-application = 과제
trace-of-organization = 기관
trace-events = 레코드 #{ $seq }까지 원장의 이벤트 { $count }건 (해시 { $hash }), { $command } 결과와 같습니다.
standing-title = 레코드 #{ $seq } 이후의 상태
standing-active = 유효
standing-no-longer-active = 종료됨
standing-never-appealed = 이의신청 없음
stands-carried-out = 회수로 집행됨
stands-exemption-granted = 종결: 면제 승인
stands-award-ended = 종결: 배정이 더 이상 유효하지 않음
stands-exemption-requested = 진행 중: 면제 신청, 미결정
stands-exemption-refused = 진행 중: 면제 거부, 회수 가능
stands-open = 진행 중
stands-appeal-open = 진행 중, 미결정
stands-appeal-upheld = 인용: 과제가 다시 심사 중이 됨
stands-appeal-dismissed = 기각: 미선정 유지
stands-appeal-withdrawn = 과제 철회로 종결

## 로그인

login-title = 로그인
login-heading = gpu-ledger 대시보드
login-needs-token = 이 서버는 토큰이 필요합니다. 모든 역할이 대시보드를 볼 수 있으며, 어떤 화면도 원장을 바꾸지 않습니다.
login-refused = 이 서버에서 유효하지 않은 토큰입니다.
login-token = 토큰
login-cookie = 토큰은 이 브라우저를 닫거나 로그아웃할 때까지만 쿠키에 보관됩니다.
login-not-needed = 로그인이 필요 없습니다
login-local-mode = 이 서버는 로컬 모드로 실행 중이며, 모든 화면을 토큰 없이 볼 수 있습니다.
login-refused-title = 로그인 거부
login-refused-advice = { $why }: 이 서버의 /login 양식을 직접 열어 로그인하십시오.
login-no-form = 로그인 양식 없음
login-no-randomness = 서버가 지금 양식에 쓸 난수를 얻지 못했습니다. 다시 시도하십시오.

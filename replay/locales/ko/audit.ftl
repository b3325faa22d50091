# 감사 보고서의 한국어 문구. 키는 ../en/audit.ftl 과 같다(테스트가
# 확인한다). 사업의 용어를 쓴다: 공모, 과제, 선정, 배정, 회수, 재배분.

title = 감사 보고서
intro = seq 1부터 seq { $seq }까지 이벤트 { $events }건을 다룬다 (최신 해시{" "}
intro-call = {" "}공모 및 예외 사항 절은 공모{" "}
intro-call-rest = 로 한정되며, 무결성과 풀은 모든 공모를 다룬다.
intro-as-of = {" "}시점은 시각으로 지정되었다: { $clock } 기준 { $at } ({ $code }).
clock-business = 업무 시각
clock-ledger = 원장 기록 시각
yes = 예
no = 아니오
evidence-seq = seq { $seq }

## 1. 무결성

integrity = 1. 무결성
col-check = 점검 항목
col-result = 결과
integrity-events-checked = 점검한 이벤트
integrity-head-hash = 최신 해시
integrity-head-recorded-at = 최신 recorded_at
integrity-empty-ledger = (빈 원장)
integrity-chain-verified = 체인 검증 (순서, 연결, 해시)
integrity-rules-verified = 모든 이벤트가 유효하고 규칙에 맞음
integrity-first-bad = 첫 불량 레코드
integrity-first-bad-at = seq { $seq }: { $reason }. 이 보고서는 그 이전의 레코드를 다룬다.

## 2. 공모와 트랙

calls = 2. 공모와 트랙
calls-none = 공고된 공모가 없다.
calls-status = 상태 { $status }, 마감 시각{" "}
calls-published = . 공표 통계 (calls 뷰와 같음):
calls-all = 전체
calls-track = 트랙
calls-sector = 부문 { $sector }
col-breakdown = 구분
col-applications = 신청 과제
col-requested-gpus = 신청 GPU
col-requested-servers = 신청 서버
col-selected = 선정 과제
col-awarded-gpus = 배정 GPU
col-awarded-servers = 배정 서버
col-selection-ratio = 선정률
col-redistributed-gpus = 재배분 GPU
col-pending = 심사 중
col-rejected = 미선정
col-withdrawn = 철회
track-awards = { $call }의 트랙 { $track }: 순위순 배정
track-pool = 풀
track-rules = , GPU { $gpus }개; min_reviews { $min_reviews }, 지역 가점 { $bonus }, 기관당 상한 { $cap } bp.
track-no-awards = 배정 없음.
origin-redistributed-from = 재배분, 회수
col-rank = 순위
col-rank-score = 순위 점수
col-award = 배정
col-application = 과제
col-organization = 기관
col-origin = 출처
col-granted-gpus = 배정 GPU
col-held-gpus = 보유 GPU
col-state = 상태

## 3. 예외 사항

exceptions = 3. 예외 사항
exceptions-intro = 예외 사항 { $count }건. 각 항목에 이를 입증하는 이벤트(seq와 해시)를 적는다. 회수된 GPU는 { $awaiting }일까지 재배분을 기다릴 수 있고, 회수 예고는 respond_by 이후 { $notice }일까지, 이의신청은 { $appeal }일까지 미결정으로 남을 수 있다.
col-kind = 유형
col-count = 건수
passed-over-by = { $application } ({ $org }, 순위 점수 { $rank })에 돌아갔으나 { $rival } ({ $rival_org }, 순위 점수 { $rival_rank })
passed-over-pending = { $passed_over }은 심사 중이었다; 더 높은 순위의 심사 중 과제 { $shown }건.
closing-still-open = 끝까지 진행 중
closing-then-closed = 이후 종결
share-near-cap = 상한의 90% 초과
share-over-cap = 상한 초과
summary-award_out_of_rank_order = 배정 { $award }이 { $passed_over }은 결국 { $status }; 더 높은 순위의 그러한 과제 { $shown }건.
summary-recall_without_evidence = 회수 { $recall }: 배정 { $award } ({ $org })에서 GPU { $gpus }개, 사유 { $reason }, 이전 근거 없음 (회수 이전 그 배정의 활용률 보고 { $shown }건).
summary-redistribution_out_of_rank_order = 재배분 { $redistribution }: 회수 { $recall }의 GPU { $gpus }개가 { $passed_over }
summary-recall_awaiting_too_long = 회수 { $recall } (배정 { $award }, 풀 { $pool }): GPU { $gpus }개 중 { $over }개가 { $limit }일보다 오래 재배분을 기다렸고, 최장 { $longest }; 끝에 { $still }개가 여전히 대기.
summary-org-share = { $org }은 { $call }의 트랙 { $track } GPU { $track_gpus }개 중 { $held }개 ({ $share } bp)를 보유하여, 상한 { $cap } bp 대비 { $against }.
summary-award_past_end = 배정 { $award } ({ $application }, { $org })은 GPU { $gpus }개를 여전히 보유하나, 기간이 { $ends }에 끝났다. 마지막 이벤트 시각 { $last }.
summary-reviewer_conflict_of_interest = 평가위원 { $reviewer }이 신청 기관의 구성원인 { $actor }로서 { $org }의 과제 { $application }을 평가했다 ({ $score }점).
summary-score_before_declared_conflict = 평가위원 { $reviewer }이 { $org }의 과제 { $application }을 평가한 ({ $score }점) 뒤에 { $with }과의 이해충돌 { $conflict } ({ $source })가 신고되었다.
summary-supplement_out_of_rank_order = 추가 배정 { $supplement }: GPU { $gpus }개가 배정 { $award }로 { $passed_over }
summary-notice_overdue = 회수 예고 { $notice } (배정 { $award }의 GPU { $gpus }개, { $org }, { $reason })가 respond_by { $respond_by } 이후 { $overdue } 동안 진행 중으로, { $limit }일을 넘었다; { $closing }.
summary-appeal_undecided_too_long = 과제 { $application } ({ $org })의 이의신청 { $appeal }이 { $open } 동안 미결정으로, { $limit }일을 넘었다; { $closing }.
explain-award_out_of_rank_order = 같은 트랙에서 종료 시점 순위가 분명히 더 높고 트랙의 min_reviews 이상 평가를 받은 다른 과제가 미선정 또는 심사 중으로 남아 있는데 이루어진 AwardGranted(배정). 배정마다 하나이며, 그러한 과제 중 순위가 가장 높은 과제를 밝힌다.
explain-recall_without_evidence = 근거 없이 이루어진 회수(사유가 과제 철회가 아닌 경우): 그 배정의 목적 외 사용(off_purpose_use) 활용률 보고도, 기간 순으로 연속된 두 보고가 모두 5000 bp 미만인 경우도 회수 이전에 기록되지 않았다.
explain-redistribution_out_of_rank_order = 같은 트랙에서 그 시점에 심사 중이고 min_reviews 이상 평가를 받은 다른 과제보다 순위가 낮은 과제에 이루어진 Redistributed(재배분, 추가 배분 포함).
explain-recall_awaiting_too_long = 회수된 GPU 일부가 정해진 기간보다 분명히 오래 재배분을 기다린 회수(업무 시각 기준, 회수부터 이를 해소한 이벤트 또는 끝까지). 회수마다 하나.
explain-org_share_over_cap = 종료 시점에 한 기관이 상한이 있는 트랙(max_org_share_bp가 10000 미만)에서 상한이 허용하는 것보다 많이 보유한다.
explain-org_share_near_cap = 종료 시점에 한 기관이 상한이 있는 트랙에서 상한의 90%를 넘게, 그러나 상한 이하로 보유한다.
explain-award_past_end = 종료 시점에도 유효한 배정(선정 배정 또는 재배분)으로, ends_at이 마지막 이벤트의 occurred_at보다 앞선다: 아무도 종료하지 않았다.
explain-reviewer_conflict_of_interest = actor가 org:<org_id>:... 이고 <org_id>가 과제를 신청한 기관과 정확히 같은 ScoreRecorded(평가).
explain-score_before_declared_conflict = 나중에 그 과제 또는 그 기관과의 ConflictDeclared(이해충돌 신고)가 있는 평가위원의 ScoreRecorded(평가). 평가마다 하나이며, 그러한 첫 이해충돌을 밝힌다.
explain-supplement_out_of_rank_order = 같은 트랙에서 그 시점에 심사 중이고 min_reviews 이상 평가를 받은 다른 과제보다 순위가 낮은 과제의 배정에 이루어진 AwardSupplemented(추가 배정).
explain-notice_overdue = 소명 기한(respond_by)이 지나고도 정해진 기간보다 분명히 오래 진행 중으로 남은 RecallNoticed(회수 예고: 면제 승인 없음, 이를 근거로 한 회수 없음, 배정이 여전히 유효), 이를 종결한 이벤트 또는 끝까지. 예고마다 하나.
explain-appeal_undecided_too_long = 제기 후 정해진 기간보다 분명히 오래 결정되지 않은 AppealFiled(이의신청), AppealDecided(또는 과제 철회) 또는 끝까지. 이의신청마다 하나.

## 4. 풀 대사

pools = 4. 풀 대사
pools-balanced = GPU를 움직인 이벤트 { $steps }건 각각의 뒤와 끝에서 모든 풀이 맞았다: 용량 = 보유 + 재배분 대기 + 여유, 음수 없음, 보유와 대기가 배정과 회수의 합과 일치.
pools-balanced-not-at-end = 모든 풀이 매 단계 맞았으나, 끝에서 풀이 배정 및 회수와 일치하지 않는다 (표 참조).
pools-failure = 풀이 맞지 않는다. seq { $seq } 이후 첫 불일치 (
pools-failure-figures = ): 풀 { $pool }의 용량 { $capacity }, 보유 { $held }, 대기 { $awaiting }, 여유 { $free }.
col-pool = 풀
col-capacity = 용량
col-held = 보유
col-awaiting-redistribution = 재배분 대기
col-free = 여유
col-held-by-awards = 배정 기준 보유
col-awaiting-by-recalls = 회수 기준 대기
col-reconciled = 대사 일치

## 원장의 용어

word-open = 접수 중
word-closed = 마감
word-granted = 선정 배정
word-redistributed = 재배분
word-ended = 종료
word-recalled = 회수됨
word-active = 유효
word-academia = 학계
word-industry = 산업계
word-research = 연구계
word-pending = 심사 중
word-rejected = 미선정
word-awarded = 선정
word-withdrawn = 철회
word-underutilization = 저활용
word-off_purpose_use = 목적 외 사용
word-withdrawal = 과제 철회
word-other = 기타
word-application = 과제
word-organization = 기관
word-large = 대기업
word-sme = 중소기업
word-startup = 스타트업
word-public = 공공기관
word-term_completed = 기간 만료
word-relinquished = 자진 반납
word-self_declared = 자진 신고
word-reported = 제보
word-office_found = 사무국 확인
word-paper = 논문
word-model = 모델
word-dataset = 데이터셋
word-service = 서비스
word-patent = 특허

## 추적의 각 줄(이벤트 유형마다)과 이벤트의 역할

line-OrganizationRegistered = { $org } 등록: { $sector }, { $size }, { $region }
line-ApplicationSubmitted = { $application }: { $org }이 { $call }의 트랙 { $track }에 신청, GPU { $gpus }개, 용도 { $purpose }, "{ $title }"
line-ScoreRecorded = { $application } 평가 { $score }점, 평가위원 { $reviewer } (actor { $actor })
line-ApplicationRejected = { $application } 미선정: { $reason }
line-ApplicationWithdrawn = { $application } 철회: { $reason }
line-AwardGranted = 배정 { $award }: { $application } ({ $org })에 GPU { $gpus }개, { $starts }부터 { $ends }까지
line-Redistributed = 재배분 { $redistribution }: 회수 { $recall }(배정 { $from }에서 회수)의 GPU { $gpus }개를 배정 { $award }로 { $application } ({ $org })에, { $starts }부터 { $ends }까지
line-UtilizationReported = 배정 { $award } 활용률 { $used }, { $from }부터 { $to }까지
line-UtilizationReported-off-purpose = 배정 { $award } 활용률 { $used }, { $from }부터 { $to }까지, 목적 외 사용 보고
line-RecallIssued = 회수 { $recall }: 배정 { $award }의 GPU { $gpus }개 ({ $reason })
line-RecallIssued-notice = 회수 { $recall }: 배정 { $award }의 GPU { $gpus }개 ({ $reason }), 회수 예고 { $notice } 집행
line-RecallReleased = 회수 { $recall }: GPU { $gpus }개를 풀로 반환 ({ $reason })
line-AwardEnded = 배정 { $award } 종료 ({ $reason })
line-PoolRegistered = 풀 { $pool } 등록
line-PoolResized = 풀 { $pool } 용량을 GPU { $gpus }개로 변경
line-CallOpened = 공모 { $call } 공고
line-CallClosed = 공모 { $call } 마감
line-ReviewerRegistered = 평가위원 { $reviewer } 등록
line-ConflictDeclared = 이해충돌 { $conflict }: 평가위원 { $reviewer }와 { $with } ({ $source })
line-RecallNoticed = 회수 예고 { $notice }: 배정 { $award }의 GPU { $gpus }개 ({ $reason }), 소명 기한 { $respond_by }
line-ExemptionRequested = 회수 예고 { $notice }에 면제 신청: { $reason }
line-ExemptionDecided-granted = 회수 예고 { $notice }의 면제 승인: { $reason }
line-ExemptionDecided-refused = 회수 예고 { $notice }의 면제 거부: { $reason }
line-AppealFiled = 이의신청 { $appeal }: { $application }의 미선정에 대해: { $reason }
line-AppealDecided-upheld = 이의신청 { $appeal } 인용: { $reason }
line-AppealDecided-dismissed = 이의신청 { $appeal } 기각: { $reason }
line-AwardExtended = 배정 { $award } 기간을 { $ends }까지 연장: { $reason }
line-AwardSupplemented = 추가 배정 { $supplement }: 배정 { $award }에 GPU { $gpus }개 추가 ({ $reason })
line-OutputReported = 성과 { $output } (배정 { $award }): { $kind } "{ $title }"
role-organization = 기관
role-application = 과제
role-score = 평가
role-application-closed = 과제 종결
role-award = 배정
role-utilization = 활용률
role-recall = 회수
role-redistributed-out = 회수 GPU 재배분
role-released = 회수 GPU 반환
role-ended = 배정 종료
role-origin-recall = 출처: 회수
role-origin-award = 출처: 회수된 배정
role-conflict = 이해충돌 신고
role-appeal = 이의신청
role-appeal-decided = 이의신청 결정
role-notice = 회수 예고
role-exemption-requested = 면제 신청
role-exemption-decided = 면제 결정
role-extended = 배정 연장
role-supplemented = 추가 배정
role-output = 성과
purpose-research = 연구
purpose-service-development = 서비스 개발
purpose-model-development = 모델 개발

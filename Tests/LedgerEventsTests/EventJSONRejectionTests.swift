import Testing
import LedgerEvents

/// `{"type":TYPE,"patient":"P1","time":"2026-01-02T08:00:00Z",EXTRA}`.
func line(_ type: String, _ extra: String = "") -> String {
    #"{"type":""# + type + #"","patient":"P1","time":"2026-01-02T08:00:00Z""# + (extra.isEmpty ? "" : "," + extra) + "}"
}

let phq9 = #""survey":"phq9","answers":{"q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#
let long65 = String(repeating: "a", count: 65)
let long129 = String(repeating: "b", count: 129)

/// One invalid line per rule of events.md, with (a part of) the message it
/// must get. Each base line without the fault is valid (checked below).
let invalidLines: [(String, String)] = [
    // JSON syntax.
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z""#, "invalid JSON at column 61: unexpected end of line, expected ',' or '}'"),
    (#"{"type" "erase"}"#, "invalid JSON at column 9: expected ':'"),
    (#"{"type":"erase",}"#, "invalid JSON at column 17: expected a string key"),
    (#"{type:"erase"}"#, "invalid JSON at column 2: expected a string key"),
    (#"{'type':'erase'}"#, "expected a string key"),
    (#"{"type":"erase" "patient":"P1"}"#, "expected ',' or '}'"),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z"} {}"#, "unexpected text after the object"),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z"}x"#, "unexpected text after the object"),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z""#, "unexpected end of line"),
    ("[]", "a line must be a JSON object"),
    (#""erase""#, "a line must be a JSON object"),
    ("null", "a line must be a JSON object"),
    ("42", "a line must be a JSON object"),
    ("x", "invalid JSON at column 1: expected '{'"),
    ("{", "unexpected end of line"),
    (#"{"type":"er"#, "unterminated string"),
    // Strings.
    (line("erase", #""id":"a"# + "\u{01}" + #"b""#), "control character U+0001 in a string must be escaped"),
    (line("erase", #""id":"a"# + "\t" + #"b""#), "control character U+0009"),
    (line("erase", #""id":"a\xb""#), "invalid escape"),
    (line("erase", #""id":"a\u12""#), #"invalid \u escape"#),
    (line("erase", #""id":"a\u12g4""#), #"invalid \u escape"#),
    (line("erase", #""id":"\ud800""#), #"unpaired surrogate escape \ud800"#),
    (line("erase", #""id":"\uDBFF""#), #"unpaired surrogate escape \udbff"#),
    (line("erase", #""id":"\udc00""#), #"unpaired surrogate escape \udc00"#),
    (line("erase", #""id":"\ud800\u0041""#), #"unpaired surrogate escape \ud800"#),
    (line("erase", #""id":"\ud800x""#), #"unpaired surrogate escape \ud800"#),
    (line("erase", #""id":"\udc00\ud800""#), #"unpaired surrogate escape \udc00"#),
    // Numbers.
    (line("dispense", #""medication":"m","class":"c","daysSupply":030"#), "invalid number (leading zero)"),
    (line("read", #""content":"c","progress":1."#), "invalid number (no digit after '.')"),
    (line("read", #""content":"c","progress":.5"#), "expected a value"),
    (line("read", #""content":"c","progress":1e"#), "invalid number (no digit in the exponent)"),
    (line("read", #""content":"c","progress":1e+"#), "invalid number (no digit in the exponent)"),
    (line("read", #""content":"c","progress":+1"#), "expected a value"),
    (line("read", #""content":"c","progress":-"#), "invalid number"),
    (line("read", #""content":"c","progress":NaN"#), "expected a value"),
    (line("read", #""content":"c","progress":Infinity"#), "expected a value"),
    (line("read", #""content":"c","progress":-Infinity"#), "invalid number"),
    (line("read", #""content":"c","progress":0x1"#), "expected ',' or '}'"),
    (line("read", #""content":"c","progress":1e999"#), "number at column 86 overflows a double"),
    (line("read", #""content":"c","progress":-1e309"#), "overflows a double"),
    (line("survey", #""survey":"s","answers":{"x":1.8e308}"#), "overflows a double"),
    (line("survey", #""survey":"s","answers":{},"score":1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"#), "overflows a double"),
    // Keys: unknown, case-sensitive, duplicate (also through escapes).
    (line("erase", #""foo":1"#), #"unknown key "foo""#),
    (line("erase", #""Actor":"a""#), #"unknown key "Actor""#),
    (#"{"Type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z"}"#, #"unknown key "Type""#),
    (line("erase", #""patient":"P2""#), #"duplicate key "patient""#),
    (line("erase", #""p\u0061tient":"P2""#), #"duplicate key "patient""#),
    (line("erase", #""id":"a","id":"a""#), #"duplicate key "id""#),
    (line("visit", #""kind":"checkup","sex":"male""#), #"unknown key "sex" for type visit"#),
    (line("unenroll", #""program":"p","kind":"journey""#), #"unknown key "kind" for type unenroll"#),
    (line("erase", #""program":"p""#), #"unknown key "program" for type erase"#),
    (line("tag", #""tag":"t","op":"add","typeCode":1"#), #"unknown key "typeCode" for type tag"#),
    (line("read", #""content":"c","progress":1,"score":1"#), #"unknown key "score" for type read"#),
    // null, anywhere.
    (line("register", #""sex":null"#), #"null is not allowed ("sex")"#),
    (line("register", #""birthYear":null"#), #"null is not allowed ("birthYear")"#),
    (line("register", #""conditions":null"#), #"null is not allowed ("conditions")"#),
    (line("register", #""conditions":["E11",null]"#), #"null is not allowed ("conditions")"#),
    (line("erase", #""id":null"#), #"null is not allowed ("id")"#),
    (line("consent", #""scope":"research","granted":null"#), #"null is not allowed ("granted")"#),
    (line("checkin", #""metric":"glucose","values":{"mmol":null}"#), #"null is not allowed ("values")"#),
    (line("checkin", #""metric":"glucose","values":null"#), #"null is not allowed ("values")"#),
    (line("survey", #""survey":"s","answers":{"a":null}"#), #"null is not allowed ("answers")"#),
    (#"{"type":null,"patient":"P1","time":"2026-01-02T08:00:00Z"}"#, #"null is not allowed ("type")"#),
    (line("erase", #""typeCode":null"#), #"null is not allowed ("typeCode")"#),
    // Value kinds: booleans are never numbers, ints have no fraction or exponent.
    (line("read", #""content":"c","progress":true"#), #""progress" must be a number"#),
    (line("read", #""content":"c","progress":"0.5""#), #""progress" must be a number"#),
    (line("register", #""birthYear":true"#), #""birthYear" must be an int"#),
    (line("register", #""birthYear":"1958""#), #""birthYear" must be an int"#),
    (line("register", #""birthYear":1958.0"#), #""birthYear" must be an int, written without fraction or exponent"#),
    (line("register", #""birthYear":1.958e3"#), #""birthYear" must be an int"#),
    (line("register", #""birthYear":1958e0"#), #""birthYear" must be an int"#),
    (line("dispense", #""medication":"m","class":"c","daysSupply":30.0"#), #""daysSupply" must be an int"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":1.0"#), #""step" must be an int"#),
    (line("enroll", #""program":"p","kind":"checkin","metric":"bp","everyDays":7E0"#), #""everyDays" must be an int"#),
    (line("consent", #""scope":"research","granted":1"#), #""granted" must be true or false"#),
    (line("consent", #""scope":"research","granted":"true""#), #""granted" must be true or false"#),
    (line("consent", #""scope":"research","granted":True"#), "expected a value"),
    (#"{"type":"erase","patient":1,"time":"2026-01-02T08:00:00Z"}"#, #""patient" must be a string"#),
    (#"{"type":"erase","patient":"P1","time":1767340800000}"#, #""time" must be a string"#),
    (#"{"type":["erase"],"patient":"P1","time":"2026-01-02T08:00:00Z"}"#, #""type" must be a string"#),
    (line("register", #""conditions":"E11""#), #""conditions" must be an array of strings"#),
    (line("register", #""conditions":[11]"#), #""conditions" must be an array of strings"#),
    (line("register", #""conditions":[["E11"]]"#), #""conditions" must be an array of strings"#),
    (line("checkin", #""metric":"glucose","values":[7.8]"#), #""values" must be an object"#),
    (line("survey", #""survey":"s","answers":[]"#), #""answers" must be an object"#),
    (line("survey", #""survey":"s","answers":{"a":"1"}"#), #"answer "a" must be a number"#),
    (line("survey", #""survey":"s","answers":{"a":false}"#), #"answer "a" must be a number"#),
    (line("survey", #""survey":"s","answers":{},"score":true"#), #""score" must be a number"#),
    (line("checkin", #""metric":"glucose","values":{"mmol":"7.8"}"#), #""mmol" must be a number"#),
    (line("checkin", #""metric":"habit","values":{"done":true}"#), #""done" must be a number"#),
    // Type.
    (#"{"patient":"P1","time":"2026-01-02T08:00:00Z"}"#, #"missing key "type""#),
    ("{}", #"missing key "type""#),
    (line("Visit", #""kind":"checkup""#), #""type" must be one of register, visit, appointment, message, read, checkin, survey, dispense, consent, enroll, unenroll, tag, erase (got "Visit")"#),
    (line("walk"), #""type" must be one of"#),
    (line("unrecognized"), "records of an unrecognized type cannot be imported"),
    // Common keys.
    (#"{"type":"erase","time":"2026-01-02T08:00:00Z"}"#, #"missing key "patient""#),
    (#"{"type":"erase","patient":"P1"}"#, #"missing key "time""#),
    (#"{"type":"erase","patient":"","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters of A-Z a-z 0-9 . _ : -"#),
    (#"{"type":"erase","patient":"\#(long65)","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters"#),
    (#"{"type":"erase","patient":"P 1","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters"#),
    (#"{"type":"erase","patient":"P/1","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters"#),
    (#"{"type":"erase","patient":"Pé","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters"#),
    (#"{"type":"erase","patient":"P1\n","time":"2026-01-02T08:00:00Z"}"#, #""patient" must be 1-64 characters"#),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02"}"#, #""time" is not an RFC 3339 date-time"#),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02 08:00:00Z"}"#, #""time" is not an RFC 3339 date-time"#),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00"}"#, #""time" is not an RFC 3339 date-time"#),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:60Z"}"#, #""time" is not an RFC 3339 date-time: leap seconds (:60) are not allowed"#),
    (#"{"type":"erase","patient":"P1","time":"2025-02-29T08:00:00Z"}"#, #""time" is not an RFC 3339 date-time: there is no date 2025-02-29"#),
    (#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00+24:00"}"#, #""time" is not an RFC 3339 date-time: offsets go up to ±23:59"#),
    (#"{"type":"erase","patient":"P1","time":"0001-01-01T00:00:00+00:01"}"#, #""time" must be within years 0001-9999 (UTC)"#),
    (line("erase", #""id":"""#), #""id" must be 1-128 characters"#),
    (line("erase", #""id":"\#(long129)""#), #""id" must be 1-128 characters"#),
    (line("erase", #""actor":"""#), #""actor" must be 1-128 characters"#),
    (line("erase", #""actor":"\#(long129)""#), #""actor" must be 1-128 characters"#),
    // register
    (line("register", #""sex":"f""#), #""sex" must be one of female, male, other, unknown (got "f")"#),
    (line("register", #""sex":"Female""#), #""sex" must be one of"#),
    (line("register", #""birthYear":1899"#), #""birthYear" must be 1900...2100"#),
    (line("register", #""birthYear":2101"#), #""birthYear" must be 1900...2100"#),
    (line("register", #""birthYear":-1958"#), #""birthYear" must be 1900...2100"#),
    (line("register", #""birthYear":99999999999999999999999"#), #""birthYear" must be 1900...2100"#),
    (line("register", #""conditions":["E1"]"#), #""conditions" has "E1", which is not an ICD-10 code"#),
    (line("register", #""conditions":["E11."]"#), #""conditions" has "E11.""#),
    (line("register", #""conditions":["E11.12345"]"#), #""conditions" has "E11.12345""#),
    (line("register", #""conditions":["E1112345"]"#), #""conditions" has "E1112345""#),
    (line("register", #""conditions":["1E11"]"#), #""conditions" has "1E11""#),
    (line("register", #""conditions":["EE11"]"#), #""conditions" has "EE11""#),
    (line("register", #""conditions":["E11-9"]"#), #""conditions" has "E11-9""#),
    (line("register", #""conditions":["E11..9"]"#), #""conditions" has "E11..9""#),
    (line("register", #""conditions":["E11 "]"#), #""conditions" has "E11 ""#),
    (line("register", #""conditions":[""]"#), #""conditions" has """#),
    (line("register", #""conditions":["I10","É11"]"#), #""conditions" has "É11""#),
    // visit
    (line("visit"), #"missing key "kind""#),
    (line("visit", #""kind":"walkin""#), #""kind" must be one of outpatient, inpatient, emergency, telehealth, checkup (got "walkin")"#),
    (line("visit", #""kind":"checkup","department":"""#), #""department" must be 1-64 characters"#),
    (line("visit", #""kind":"checkup","department":"\#(long65)""#), #""department" must be 1-64 characters"#),
    (line("visit", #""kind":"checkup","diagnoses":["E11","X"]"#), #""diagnoses" has "X", which is not an ICD-10 code"#),
    (line("visit", #""kind":"checkup","appointment":"""#), #""appointment" must be 1-128 characters"#),
    (line("visit", #""kind":"checkup","appointment":"\#(long129)""#), #""appointment" must be 1-128 characters"#),
    (line("visit", #""kind":"inpatient","discharge":"2026-01-02T07:59:59.999Z""#), #""discharge" must not be before "time""#),
    (line("visit", #""kind":"inpatient","discharge":"2026-01-02T08:59:59+01:00""#), #""discharge" must not be before "time""#),
    (line("visit", #""kind":"inpatient","discharge":"soon""#), #""discharge" is not an RFC 3339 date-time"#),
    (line("visit", #""kind":"inpatient","discharge":"9999-12-31T23:30:00-01:00""#), #""discharge" must be within years 0001-9999 (UTC)"#),
    // appointment
    (line("appointment", #""status":"noshow""#), #"missing key "appointment""#),
    (line("appointment", #""appointment":"a""#), #"missing key "status""#),
    (line("appointment", #""appointment":"","status":"noshow""#), #""appointment" must be 1-128 characters"#),
    (line("appointment", #""appointment":"a","status":"booked""#), #""status" must be one of scheduled, cancelled, noshow (got "booked")"#),
    (line("appointment", #""appointment":"a","status":"scheduled""#), #"missing key "scheduledFor" (required when "status" is scheduled)"#),
    (line("appointment", #""appointment":"a","status":"cancelled","scheduledFor":"2026-02-01T09:00:00Z""#), #""scheduledFor" is only allowed when "status" is scheduled"#),
    (line("appointment", #""appointment":"a","status":"noshow","scheduledFor":"2026-02-01T09:00:00Z""#), #""scheduledFor" is only allowed when "status" is scheduled"#),
    (line("appointment", #""appointment":"a","status":"scheduled","scheduledFor":"tomorrow""#), #""scheduledFor" is not an RFC 3339 date-time"#),
    (line("appointment", #""appointment":"a","status":"scheduled","scheduledFor":"0001-01-01T00:00:00+01:00""#), #""scheduledFor" must be within years 0001-9999 (UTC)"#),
    // message
    (line("message", #""direction":"inbound","channel":"sms""#), #"missing key "message""#),
    (line("message", #""message":"m","channel":"sms""#), #"missing key "direction""#),
    (line("message", #""message":"m","direction":"inbound""#), #"missing key "channel""#),
    (line("message", #""message":"","direction":"inbound","channel":"sms""#), #""message" must be 1-128 characters"#),
    (line("message", #""message":"m","direction":"out","channel":"sms""#), #""direction" must be one of outbound, inbound (got "out")"#),
    (line("message", #""message":"m","direction":"inbound","channel":"fax""#), #""channel" must be one of sms, wechat, app, email, phone (got "fax")"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","purpose":"spam""#), #""purpose" must be one of care, followup, education, reminder, survey, marketing (got "spam")"#),
    (line("message", #""message":"m","direction":"outbound","channel":"sms""#), #"missing key "purpose" (required for outbound messages)"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","content":"""#), #""content" must be 1-128 characters"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","survey":"\#(long129)""#), #""survey" must be 1-128 characters"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j""#), #""journey" and "step" must be given together"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","step":1"#), #""journey" and "step" must be given together"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"","step":1"#), #""journey" must be 1-128 characters"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":0"#), #""step" must be an int >= 1"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":-3"#), #""step" must be an int >= 1"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":-99999999999999999999"#), #""step" must be an int >= 1"#),
    (line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":99999999999999999999"#), #""step" is too large"#),
    // read
    (line("read", #""progress":1"#), #"missing key "content""#),
    (line("read", #""content":"c""#), #"missing key "progress""#),
    (line("read", #""content":"","progress":1"#), #""content" must be 1-128 characters"#),
    (line("read", #""content":"c","progress":-0.1"#), #""progress" must be a number 0...1"#),
    (line("read", #""content":"c","progress":1.0000001"#), #""progress" must be a number 0...1"#),
    (line("read", #""content":"c","progress":2"#), #""progress" must be a number 0...1"#),
    (line("read", #""content":"c","progress":1,"message":"""#), #""message" must be 1-128 characters"#),
    // checkin
    (line("checkin", #""values":{"mmol":7}"#), #"missing key "metric""#),
    (line("checkin", #""metric":"glucose""#), #"missing key "values""#),
    (line("checkin", #""metric":"bmi","values":{"bmi":22}"#), #""metric" must be one of bp, glucose, weight, steps, heartrate, habit (got "bmi")"#),
    (line("checkin", #""metric":"bp","values":{"systolic":120}"#), #"missing key "diastolic" in "values""#),
    (line("checkin", #""metric":"bp","values":{"diastolic":80}"#), #"missing key "systolic" in "values""#),
    (line("checkin", #""metric":"bp","values":{}"#), #"missing key "systolic" in "values""#),
    (line("checkin", #""metric":"bp","values":{"systolic":120,"diastolic":80,"pulse":60}"#), #"unknown key "pulse" in "values" (bp takes "systolic" and "diastolic")"#),
    (line("checkin", #""metric":"glucose","values":{"kg":7}"#), #"unknown key "kg" in "values" (glucose takes "mmol" only)"#),
    (line("checkin", #""metric":"glucose","values":{"Mmol":7}"#), #"unknown key "Mmol" in "values""#),
    (line("checkin", #""metric":"bp","values":{"systolic":120,"systolic":121,"diastolic":80}"#), #"duplicate key "systolic" in "values""#),
    (line("checkin", #""metric":"bp","values":{"systolic":39.9,"diastolic":80}"#), #""systolic" must be 40...300 (mmHg)"#),
    (line("checkin", #""metric":"bp","values":{"systolic":300.5,"diastolic":80}"#), #""systolic" must be 40...300 (mmHg)"#),
    (line("checkin", #""metric":"bp","values":{"systolic":120,"diastolic":19}"#), #""diastolic" must be 20...200 (mmHg)"#),
    (line("checkin", #""metric":"bp","values":{"systolic":120,"diastolic":201}"#), #""diastolic" must be 20...200 (mmHg)"#),
    (line("checkin", #""metric":"glucose","values":{"mmol":0.4}"#), #""mmol" must be 0.5...60"#),
    (line("checkin", #""metric":"glucose","values":{"mmol":60.1}"#), #""mmol" must be 0.5...60"#),
    (line("checkin", #""metric":"weight","values":{"kg":0.49}"#), #""kg" must be 0.5...500"#),
    (line("checkin", #""metric":"weight","values":{"kg":501}"#), #""kg" must be 0.5...500"#),
    (line("checkin", #""metric":"steps","values":{"count":-1}"#), #""count" must be 0...200000"#),
    (line("checkin", #""metric":"steps","values":{"count":200001}"#), #""count" must be 0...200000"#),
    (line("checkin", #""metric":"heartrate","values":{"bpm":19}"#), #""bpm" must be 20...300"#),
    (line("checkin", #""metric":"heartrate","values":{"bpm":301}"#), #""bpm" must be 20...300"#),
    (line("checkin", #""metric":"habit","values":{"done":0.5}"#), #""done" must be 0 or 1"#),
    (line("checkin", #""metric":"habit","values":{"done":2}"#), #""done" must be 0 or 1"#),
    (line("checkin", #""metric":"habit","values":{"done":1},"program":"""#), #""program" must be 1-128 characters"#),
    // survey
    (line("survey", #""answers":{}"#), #"missing key "survey""#),
    (line("survey", #""survey":"s""#), #"missing key "answers""#),
    (line("survey", #""survey":"","answers":{}"#), #""survey" must be 1-128 characters"#),
    (line("survey", #""survey":"s","answers":{"":1}"#), #"survey item ids (the keys of "answers") must be 1-64 characters"#),
    (line("survey", #""survey":"s","answers":{"\#(long65)":1}"#), #"survey item ids (the keys of "answers") must be 1-64 characters"#),
    (line("survey", #""survey":"s","answers":{"a":1,"a":2}"#), #"duplicate key "a" in "answers""#),
    (line("survey", #""survey":"s","answers":{"a":1,"\u0061":2}"#), #"duplicate key "a" in "answers""#),
    (line("survey", #""survey":"phq9","answers":{"q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0}"#), #"phq9 "answers" must be exactly q1...q9 (missing "q9")"#),
    (line("survey", #""survey":"phq9","answers":{"q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0,"q10":0}"#), #"phq9 "answers" must be exactly q1...q9 (unexpected "q10")"#),
    (line("survey", #""survey":"phq9","answers":{"Q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#), #"phq9 "answers" must be exactly q1...q9 (unexpected "Q1")"#),
    (line("survey", #""survey":"phq9","answers":{"q1":4,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#), #"phq9 answer "q1" must be an int 0...3"#),
    (line("survey", #""survey":"phq9","answers":{"q1":-1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#), #"phq9 answer "q1" must be an int 0...3"#),
    (line("survey", #""survey":"phq9","answers":{"q1":1,"q2":0,"q3":1.5,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#), #"phq9 answer "q3" must be an int 0...3"#),
    (line("survey", #""survey":"phq9","answers":{"q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":2.0}"#), #"phq9 answer "q9" must be an int 0...3"#),
    (line("survey", #""survey":"phq9","answers":{"q1":1,"q2":0e0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}"#), #"phq9 answer "q2" must be an int 0...3"#),
    (line("survey", phq9 + #","score":3"#), #""score" must equal the sum of the phq9 answers (2)"#),
    (line("survey", phq9 + #","score":2.5"#), #""score" must equal the sum of the phq9 answers (2)"#),
    (line("survey", #""survey":"satisfaction","answers":{"rating":5}"#), #"satisfaction "answers" must be exactly {"score": 0...10}"#),
    (line("survey", #""survey":"satisfaction","answers":{}"#), #"satisfaction "answers" must be exactly {"score": 0...10}"#),
    (line("survey", #""survey":"satisfaction","answers":{"score":5,"extra":1}"#), #"satisfaction "answers" must be exactly"#),
    (line("survey", #""survey":"satisfaction","answers":{"score":10.5}"#), #"satisfaction answer "score" must be a number 0...10"#),
    (line("survey", #""survey":"satisfaction","answers":{"score":-1}"#), #"satisfaction answer "score" must be a number 0...10"#),
    (line("survey", #""survey":"satisfaction","answers":{"score":5},"score":5"#), #""score" is not allowed on satisfaction surveys"#),
    (line("survey", #""survey":"nps","answers":{"score":11}"#), #"nps answer "score" must be a number 0...10"#),
    (line("survey", #""survey":"nps","answers":{"Score":1}"#), #"nps "answers" must be exactly {"score": 0...10}"#),
    (line("survey", #""survey":"nps","answers":{"score":9},"score":9"#), #""score" is not allowed on nps surveys"#),
    (line("survey", #""survey":"s","answers":{},"message":"""#), #""message" must be 1-128 characters"#),
    // dispense
    (line("dispense", #""class":"c","daysSupply":30"#), #"missing key "medication""#),
    (line("dispense", #""medication":"m","daysSupply":30"#), #"missing key "class""#),
    (line("dispense", #""medication":"m","class":"c""#), #"missing key "daysSupply""#),
    (line("dispense", #""medication":"","class":"c","daysSupply":30"#), #""medication" must be 1-128 characters"#),
    (line("dispense", #""medication":"m","class":"\#(long129)","daysSupply":30"#), #""class" must be 1-128 characters"#),
    (line("dispense", #""medication":"m","class":"c","daysSupply":0"#), #""daysSupply" must be 1...365"#),
    (line("dispense", #""medication":"m","class":"c","daysSupply":366"#), #""daysSupply" must be 1...365"#),
    // consent
    (line("consent", #""granted":true"#), #"missing key "scope""#),
    (line("consent", #""scope":"research""#), #"missing key "granted""#),
    (line("consent", #""scope":"all","granted":true"#), #""scope" must be one of messaging, research, sharing (got "all")"#),
    // enroll / unenroll
    (line("enroll", #""kind":"journey""#), #"missing key "program""#),
    (line("enroll", #""program":"p""#), #"missing key "kind""#),
    (line("enroll", #""program":"","kind":"journey""#), #""program" must be 1-128 characters"#),
    (line("enroll", #""program":"p","kind":"plan""#), #""kind" must be one of checkin, journey (got "plan")"#),
    (line("enroll", #""program":"p","kind":"checkin","everyDays":7"#), #"missing key "metric" (required when "kind" is checkin)"#),
    (line("enroll", #""program":"p","kind":"checkin","metric":"bp""#), #"missing key "everyDays" (required when "kind" is checkin)"#),
    (line("enroll", #""program":"p","kind":"journey","metric":"bp""#), #""metric" is not allowed when "kind" is journey"#),
    (line("enroll", #""program":"p","kind":"journey","everyDays":7"#), #""everyDays" is not allowed when "kind" is journey"#),
    (line("enroll", #""program":"p","kind":"checkin","metric":"bmi","everyDays":7"#), #""metric" must be one of bp"#),
    (line("enroll", #""program":"p","kind":"checkin","metric":"bp","everyDays":0"#), #""everyDays" must be 1...365"#),
    (line("enroll", #""program":"p","kind":"checkin","metric":"bp","everyDays":366"#), #""everyDays" must be 1...365"#),
    (line("unenroll"), #"missing key "program""#),
    (line("unenroll", #""program":"""#), #""program" must be 1-128 characters"#),
    // tag
    (line("tag", #""op":"add""#), #"missing key "tag""#),
    (line("tag", #""tag":"t""#), #"missing key "op""#),
    (line("tag", #""tag":"","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"\#(long65)","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\tb","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\nb","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\u00a0b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\u0085b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\u2003b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a\u2028b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"a　b","op":"add""#), #""tag" must be 1-64 characters without whitespace"#),
    (line("tag", #""tag":"t","op":"toggle""#), #""op" must be one of add, remove (got "toggle")"#),
    // Enum values compare byte for byte: U+212A KELVIN SIGN is canonically "K", not "k".
    (line("message", #""message":"m","direction":"inbound","channel":"sms","purpose":"mar\u212Aeting""#), #""purpose" must be one of"#),
    // Lines.
    ("", "empty line"),
    ("   ", "empty line"),
    ("\t \r", "empty line"),
    ("\u{FEFF}" + line("erase"), "a UTF-8 byte-order mark is not allowed"),
]

@Suite struct EventJSONRejectionTests {
    @Test(arguments: invalidLines)
    func invalidLineIsRejectedWithAMessageNamingTheProblem(_ line: String, _ expected: String) {
        guard let message = failure(line) else { return }
        #expect(message.contains(expected), "\(line)\n  got: \(message)")
        #expect(!message.contains("\n"))
    }

    /// The lines above differ from valid ones by the fault only.
    @Test func theBaseLinesAreValid() {
        let valid = [
            line("erase"), line("erase", #""id":"a","actor":"b""#),
            line("register", #""sex":"female","birthYear":1900,"conditions":["E11","E11.9","e11.9","E119","E11.1234","E1112","A0B"]"#),
            line("register", #""birthYear":2100,"conditions":[]"#),
            line("visit", #""kind":"inpatient","discharge":"2026-01-02T08:00:00Z""#),
            line("visit", #""kind":"inpatient","discharge":"2026-01-02T09:00:00.0009+01:00""#),
            line("visit", #""kind":"checkup","department":"\#(String(repeating: "中", count: 64))""#),
            line("appointment", #""appointment":"a","status":"scheduled","scheduledFor":"2026-02-01T09:00:00Z""#),
            line("message", #""message":"m","direction":"inbound","channel":"sms","purpose":"care","journey":"j","step":1"#),
            line("message", #""message":"m","direction":"outbound","channel":"sms","purpose":"marketing""#),
            line("message", #""message":"m","direction":"inbound","channel":"sms","journey":"j","step":9223372036854775807"#),
            line("read", #""content":"c","progress":0"#), line("read", #""content":"c","progress":1"#),
            line("read", #""content":"c","progress":1.0"#), line("read", #""content":"c","progress":1e0"#),
            line("checkin", #""metric":"bp","values":{"diastolic":20,"systolic":300}"#),
            line("checkin", #""metric":"bp","values":{"systolic":40,"diastolic":200}"#),
            line("checkin", #""metric":"glucose","values":{"mmol":0.5}"#), line("checkin", #""metric":"glucose","values":{"mmol":60}"#),
            line("checkin", #""metric":"weight","values":{"kg":0.5}"#), line("checkin", #""metric":"weight","values":{"kg":500}"#),
            line("checkin", #""metric":"steps","values":{"count":0}"#), line("checkin", #""metric":"steps","values":{"count":200000}"#),
            line("checkin", #""metric":"steps","values":{"count":1234.5}"#),
            line("checkin", #""metric":"heartrate","values":{"bpm":20}"#), line("checkin", #""metric":"heartrate","values":{"bpm":300}"#),
            line("checkin", #""values":{"done":0},"metric":"habit""#), line("checkin", #""metric":"habit","values":{"done":1.0}"#),
            line("survey", phq9), line("survey", phq9 + #","score":2"#), line("survey", phq9 + #","score":2.0"#),
            line("survey", phq9 + #","score":2e0"#),
            line("survey", #""survey":"satisfaction","answers":{"score":10}"#), line("survey", #""survey":"nps","answers":{"score":0.5}"#),
            line("survey", #""survey":"s","answers":{"\#(String(repeating: "é", count: 64))":-1e300},"score":1.5"#),
            line("survey", #""survey":"PHQ9","answers":{"x":7.5}"#),
            line("dispense", #""medication":"m","class":"c","daysSupply":365"#),
            line("consent", #""scope":"sharing","granted":false"#),
            line("enroll", #""program":"p","kind":"checkin","metric":"habit","everyDays":365"#),
            line("enroll", #""program":"p","kind":"journey""#), line("unenroll", #""program":"p""#),
            line("tag", #""tag":"a\u200bb","op":"remove""#), line("tag", #""tag":"\#(String(repeating: "x", count: 64))","op":"add""#),
            #"{"type":"erase","patient":"\#(String(repeating: "Az09._:-", count: 8))","time":"2026-01-02T08:00:00Z"}"#,
            line("erase", #""id":"\#(String(repeating: "😀", count: 128))""#),
        ]
        for text in valid { _ = decoded(text) }
    }

    @Test func invalidUTF8IsRejected() {
        let prefix = Array(#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z","id":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        let bad: [[UInt8]] = [
            [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xC2], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE2, 0x82], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0xF0, 0x9F, 0x98],
        ]
        for bytes in bad {
            let line = prefix + bytes + suffix
            let result = line.withUnsafeBytes { EventJSON.decode(line: $0) }
            guard case .failure(let error) = result else {
                Issue.record("accepted \(bytes)")
                continue
            }
            #expect(error.message == "invalid JSON at column 68: invalid UTF-8", "\(bytes)")
        }
        let good: [[UInt8]] = [[0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
                               [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]]
        for bytes in good {
            let line = prefix + bytes + suffix
            let result = line.withUnsafeBytes { EventJSON.decode(line: $0) }
            #expect((try? result.get())?.id == String(decoding: bytes, as: UTF8.self), "\(bytes)")
        }
        // Outside strings, a non-ASCII byte is a syntax error.
        let outside = Array(#"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z"}"#.utf8) + [0xC3, 0xA9]
        let result = outside.withUnsafeBytes { EventJSON.decode(line: $0) }
        #expect(result == .failure(EventValidationError("invalid JSON at column 62: unexpected text after the object")))
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let message = failure(line("erase", #""typeCode":"# + deep))
        #expect(message?.contains("nested too deeply") == true)
    }
}

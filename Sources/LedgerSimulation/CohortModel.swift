import LedgerEvents

/// The synthetic cohort's model: who the patients are and how often things
/// happen to them. Every figure is a named constant with where it comes from
/// or why it is plausible. Figures from public surveillance reports are
/// rounded and meant as realistic orders of magnitude for an adult outpatient
/// panel, not fitted to any data set. Docs/CohortModel.md describes the
/// cohort these numbers produce.
///
/// Local clinic time is taken to be UTC (so "08:00" in this file is
/// `T08:00:00Z` in the output, and a clinic day is one UTC day).
enum CohortModel {

    // MARK: Demographics

    /// Age bands of the adult panel (18-39, 40-64, 65-94) and their shares.
    /// US adults are about 38% / 40% / 22% (Census 2020); primary-care panels
    /// skew older because older adults visit more.
    static let ageBands: [(low: Int, high: Int, share: Double)] = [(18, 39, 0.32), (40, 64, 0.42), (65, 94, 0.26)]
    /// female, male, other, unknown. Women are a little over half of
    /// primary-care patients (they use primary care more often).
    static let sexShares: [Double] = [0.53, 0.46, 0.005, 0.005]
    /// A register from the legacy feed without sex / without birth year.
    static let registerWithoutSex = 0.03
    static let registerWithoutBirthYear = 0.02

    // MARK: Conditions

    /// One chronic condition group of metrics.md with its codes and rates.
    struct ConditionSpec {
        var group: ConditionGroup
        /// ICD-10-CM codes of the group and their weights; one is fixed per patient.
        var codes: [(code: String, weight: Double)]
        /// Prevalence by age band (18-39, 40-64, 65+), women and men.
        var female: (Double, Double, Double)
        var male: (Double, Double, Double)
        /// Days between planned follow-up visits.
        var cadenceDays: Int
        /// The clinic that follows the condition.
        var department: String
        /// Extra inpatient admissions per patient-year the condition adds.
        var admissionsPerYear: Double
        /// Extra emergency visits per patient-year the condition adds.
        var emergencyPerYear: Double
    }

    static let conditions: [ConditionSpec] = [
        // Hypertension: about 30% of adults are diagnosed (CDC, NHANES
        // 2017-2020: 47% by the 2017 ACC/AHA 130/80 definition, about 30%
        // by 140/90 or treatment); strongly age-graded. Follow-up every 3-6
        // months once controlled (ACC/AHA 2017 guideline).
        ConditionSpec(group: .hypertension, codes: [("I10", 0.93), ("I11.9", 0.07)],
                      female: (0.07, 0.31, 0.60), male: (0.10, 0.36, 0.60),
                      cadenceDays: 120, department: "family medicine", admissionsPerYear: 0.01, emergencyPerYear: 0.05),
        // Type 2 diabetes: 11-12% of adults (CDC National Diabetes Statistics
        // Report 2021: 11.3%; 4.8% at 18-44, 18.9% at 45-64, 29.2% at 65+,
        // diagnosed or not). A1C every 3 months when not at goal (ADA
        // Standards of Care). Type 1 is drawn separately (below).
        ConditionSpec(group: .diabetes, codes: [("E11.9", 0.70), ("E11.65", 0.20), ("E11.22", 0.10)],
                      female: (0.025, 0.10, 0.19), male: (0.03, 0.125, 0.22),
                      cadenceDays: 90, department: "endocrinology", admissionsPerYear: 0.05, emergencyPerYear: 0.10),
        // Coronary heart disease: about 5-7% of adults (AHA Heart Disease and
        // Stroke Statistics 2023: 7.1% of adults 20+), mostly after 60.
        ConditionSpec(group: .coronary, codes: [("I25.10", 0.85), ("I20.9", 0.15)],
                      female: (0.003, 0.035, 0.10), male: (0.006, 0.06, 0.16),
                      cadenceDays: 120, department: "cardiology", admissionsPerYear: 0.12, emergencyPerYear: 0.15),
        // Heart failure: about 2.5% of adults 20+ (AHA 2023: 6.7 million);
        // 30-60 day follow-up after decompensation; frequent readmissions
        // (about a quarter within 30 days, HCUP).
        ConditionSpec(group: .heartFailure, codes: [("I50.9", 0.70), ("I50.22", 0.30)],
                      female: (0.0, 0.008, 0.055), male: (0.001, 0.012, 0.07),
                      cadenceDays: 60, department: "cardiology", admissionsPerYear: 0.45, emergencyPerYear: 0.30),
        // Chronic kidney disease stage 3-4, diagnosed: CKD affects about 14%
        // of adults but 9 in 10 do not know it (CDC CKD Surveillance), so
        // a clinic's coded prevalence is a few percent.
        ConditionSpec(group: .ckd, codes: [("N18.3", 0.75), ("N18.4", 0.25)],
                      female: (0.004, 0.025, 0.11), male: (0.004, 0.03, 0.12),
                      cadenceDays: 120, department: "nephrology", admissionsPerYear: 0.10, emergencyPerYear: 0.10),
        // COPD: 4.6% of adults (CDC BRFSS 2021), mostly after 45.
        ConditionSpec(group: .copd, codes: [("J44.9", 0.80), ("J44.1", 0.20)],
                      female: (0.004, 0.045, 0.10), male: (0.004, 0.045, 0.11),
                      cadenceDays: 120, department: "pulmonology", admissionsPerYear: 0.20, emergencyPerYear: 0.25),
        // Asthma: 8% of adults currently (CDC 2021), more women.
        ConditionSpec(group: .asthma, codes: [("J45.909", 0.80), ("J45.40", 0.20)],
                      female: (0.10, 0.10, 0.08), male: (0.06, 0.06, 0.05),
                      cadenceDays: 180, department: "pulmonology", admissionsPerYear: 0.02, emergencyPerYear: 0.15),
        // Cancer in active follow-up: about 5% of the population are cancer
        // survivors (ACS Cancer Facts & Figures 2022: 18 million), a smaller
        // share in active follow-up. Codes by sex (breast, prostate, colon, lung).
        ConditionSpec(group: .cancer, codes: [("C50.911", 0.60), ("C18.9", 0.25), ("C34.90", 0.15)],
                      female: (0.005, 0.03, 0.06), male: (0.003, 0.02, 0.08),
                      cadenceDays: 90, department: "oncology", admissionsPerYear: 0.10, emergencyPerYear: 0.10),
        // Thyroid disease, mostly hypothyroidism: about 5% (American Thyroid
        // Association), five to eight times more common in women.
        ConditionSpec(group: .thyroid, codes: [("E03.9", 0.85), ("E05.90", 0.15)],
                      female: (0.06, 0.10, 0.14), male: (0.012, 0.025, 0.045),
                      cadenceDays: 180, department: "endocrinology", admissionsPerYear: 0.0, emergencyPerYear: 0.0),
        // Depression: 8.3% of adults had a major depressive episode in 2021
        // (NIMH/NSDUH), about twice as common in women; 4-8 weeks between
        // visits in the acute phase (APA guideline), taken as 60 days.
        ConditionSpec(group: .depression, codes: [("F32.9", 0.55), ("F33.1", 0.30), ("F32.A", 0.15)],
                      female: (0.13, 0.11, 0.08), male: (0.07, 0.06, 0.05),
                      cadenceDays: 60, department: "psychiatry", admissionsPerYear: 0.02, emergencyPerYear: 0.05),
    ]
    /// The conditions' admission and emergency rates by group (raw value),
    /// as plain numbers for the daily hazard.
    static let admissionRates: [Double] = conditions.map(\.admissionsPerYear)
    static let emergencyRates: [Double] = conditions.map(\.emergencyPerYear)
    /// Breast cancer is for women; men get prostate cancer in its place.
    static let maleCancerCodes: [(code: String, weight: Double)] = [("C61", 0.55), ("C18.9", 0.28), ("C34.90", 0.17)]
    /// Type 1 diabetes: about 0.5-0.7% of adults (CDC 2021: 2 million adults).
    static let type1Diabetes = 0.006
    static let type1Code = "E10.9"

    /// A new chronic diagnosis during the window (incidence): hypertension
    /// about 3%/year, diabetes 0.6-0.9%/year in adults (CDC); pooled to 4%
    /// of patients per year, split by these weights.
    static let incidencePerYear = 0.04
    static let incidentGroups: [(group: ConditionGroup, weight: Double)] = [
        (.hypertension, 0.45), (.diabetes, 0.25), (.depression, 0.20), (.thyroid, 0.10),
    ]
    /// Share of known conditions missing from the `register` (coded only at a visit).
    static let conditionOnlyAtVisit = 0.12

    // MARK: Pregnancy

    /// Chance that a woman of 18-44 is pregnant at some time in a year: the
    /// US fertility rate is about 56 births per 1,000 women 15-44 (CDC NVSS
    /// 2021) and a pregnancy spans nine months, so about 7% of them.
    static let pregnancyPerYear = 0.07
    /// Gestational diabetes: 8.3% of births (CDC NVSS 2021).
    static let gestationalDiabetes = 0.083
    /// Prenatal visits every 4 weeks to week 28, every 2 weeks to week 36,
    /// weekly after (ACOG schedule); delivery at about 39 weeks.
    static let deliveryDay = 273
    static let pregnancyCodes = (normal: "Z34.90", highRisk: "O09.90", gdm: "O24.419", delivery: "O80", postpartum: "Z39.2")

    // MARK: Visits

    /// Patients who join in the onboarding wave (the existing panel imported
    /// in the first sixth of the window); the rest join evenly across it.
    static let onboardingShare = 0.55
    /// A new patient's first visit is on the registration day (else booked 3-30 days out).
    static let firstVisitOnJoinDay = 0.5
    /// Patients with no chronic group book an annual checkup (USPSTF and
    /// Medicare annual wellness visit); about half keep doing so.
    static let checkupCadenceDays = 365
    static let healthyBooksCheckup = 0.55
    /// Unplanned office or telehealth visits per patient-year: about 3 office
    /// visits per person-year overall in the US (NAMCS 2019); the planned
    /// follow-ups supply most of that for chronic patients.
    static let acuteVisitsPerYear = 1.2
    static let acuteCodes = ["J06.9", "M54.50", "N39.0", "R51.9", "L03.90", "Z23", "R10.9", "B34.9"]
    /// Emergency visits per patient-year before the conditions' extras: 43 ED
    /// visits per 100 persons per year (CDC NHAMCS 2021), fewer in an adult
    /// panel without children.
    static let emergencyPerYear = 0.20
    static let emergencyCodes = ["R07.9", "R10.9", "S93.401A", "J06.9", "R55", "S01.01XA"]
    /// Admissions per patient-year before the conditions' extras: about 10
    /// stays per 100 persons per year, all ages (HCUP 2019).
    static let admissionsPerYear = 0.035
    /// Length of stay 1-9 days, mean about 4.5 (HCUP mean 4.6 days).
    static let lengthOfStayDays: [Double] = [0.10, 0.17, 0.19, 0.16, 0.13, 0.10, 0.07, 0.05, 0.03]
    /// Share of admissions that come through the emergency department
    /// (about two thirds of non-obstetric admissions, HCUP).
    static let admittedThroughEmergency = 0.6
    /// Planned visits done by video: the psychiatric follow-ups more often.
    static let telehealthShare = 0.12
    static let telehealthShareDepression = 0.45
    /// The visit record comes from the legacy HIS feed: no `id`, sometimes
    /// no department, diagnoses written without the dot (`E119`).
    static let legacyVisit = 0.08
    /// Visits whose record names no diagnoses.
    static let visitWithoutDiagnoses = 0.06

    // MARK: Appointments

    /// Outcome of a booked appointment. No-show rates in outpatient clinics
    /// run 5-30% (systematic reviews, e.g. Dantas et al. 2018, mean 23%);
    /// an established primary-care panel is at the low end.
    static let appointmentNoShow = 0.09
    static let appointmentCancelled = 0.07
    static let appointmentRescheduled = 0.04
    /// A cancelled or missed appointment is booked again.
    static let rebookAfterCancel = 0.70
    static let rebookAfterNoShow = 0.55
    /// A reminder message one or two days before.
    static let appointmentReminder = 0.85
    /// Chronic patients who stop coming (lost to follow-up) at some point in
    /// a year: no more bookings, refills stop, engagement stops.
    static let dropoutPerYear = 0.10
    /// Visits named by an appointment id of the old booking system, with no
    /// `appointment` event.
    static let legacyAppointmentId = 0.04

    // MARK: Medication

    /// One medication: name, therapeutic class, and the same-class drug a
    /// patient may be switched to (statin intolerance, ACE-inhibitor cough,
    /// ARNI for heart failure, ...).
    struct MedicationSpec {
        var name: String
        var therapeuticClass: String
        var switchTo: Int?
    }

    static let medications: [MedicationSpec] = [
        MedicationSpec(name: "lisinopril 10mg", therapeuticClass: "ras", switchTo: 1),                // 0
        MedicationSpec(name: "losartan 50mg", therapeuticClass: "ras", switchTo: nil),                // 1
        MedicationSpec(name: "amlodipine 5mg", therapeuticClass: "ccb", switchTo: nil),               // 2
        MedicationSpec(name: "hydrochlorothiazide 25mg", therapeuticClass: "diuretic", switchTo: nil),// 3
        MedicationSpec(name: "metformin 500mg", therapeuticClass: "diabetes", switchTo: nil),         // 4
        MedicationSpec(name: "glipizide 5mg", therapeuticClass: "diabetes", switchTo: nil),           // 5
        MedicationSpec(name: "insulin glargine 100u/ml", therapeuticClass: "insulin", switchTo: nil), // 6
        MedicationSpec(name: "atorvastatin 40mg", therapeuticClass: "statin", switchTo: 8),           // 7
        MedicationSpec(name: "rosuvastatin 20mg", therapeuticClass: "statin", switchTo: nil),         // 8
        MedicationSpec(name: "clopidogrel 75mg", therapeuticClass: "antiplatelet", switchTo: nil),    // 9
        MedicationSpec(name: "metoprolol succinate 50mg", therapeuticClass: "betablocker", switchTo: nil), // 10
        MedicationSpec(name: "sacubitril/valsartan 49/51mg", therapeuticClass: "ras", switchTo: nil), // 11
        MedicationSpec(name: "furosemide 40mg", therapeuticClass: "diuretic", switchTo: nil),         // 12
        MedicationSpec(name: "sertraline 50mg", therapeuticClass: "ssri", switchTo: 14),              // 13
        MedicationSpec(name: "escitalopram 10mg", therapeuticClass: "ssri", switchTo: nil),           // 14
        MedicationSpec(name: "levothyroxine 75mcg", therapeuticClass: "thyroid", switchTo: nil),      // 15
        MedicationSpec(name: "tiotropium 18mcg", therapeuticClass: "lama", switchTo: nil),            // 16
        MedicationSpec(name: "budesonide/formoterol 160/4.5", therapeuticClass: "ics-laba", switchTo: nil), // 17
        MedicationSpec(name: "tamoxifen 20mg", therapeuticClass: "antineoplastic", switchTo: nil),    // 18
    ]
    /// HF patients on an ACE inhibitor are moved to sacubitril/valsartan.
    static let heartFailureSwitch = (from: 0, to: 11)
    /// Treated shares (of the patients with the condition). Hypertension:
    /// about 60-70% of diagnosed adults take medication (CDC); RAS blockers
    /// are the most used class, amlodipine next.
    static let treatedHypertension = 0.68
    static let hypertensionFirstLine: [Double] = [0.40, 0.22, 0.28, 0.10] // lisinopril, losartan, amlodipine, HCTZ
    /// Type 2 diabetes: metformin first line (ADA); a sulfonylurea added in
    /// about a quarter: two drugs of the same class.
    static let treatedDiabetes = 0.85
    static let addSulfonylurea = 0.25
    static let type2OnInsulin = 0.12
    /// Statins: most coronary patients (secondary prevention); about half of
    /// diabetics over 40 (ADA primary prevention).
    static let statinCoronary = 0.85
    static let statinDiabetes = 0.55
    static let clopidogrelCoronary = 0.30
    static let treatedHeartFailure = 0.85
    static let treatedDepression = 0.55
    static let treatedThyroid = 0.85
    static let treatedCOPD = 0.60
    static let treatedAsthma = 0.45
    static let tamoxifenBreast = 0.5
    /// 90-day fills: about a third of maintenance fills (mail order and
    /// 90-day retail programmes).
    static let ninetyDaySupply = 0.30
    /// Moving a 30-day patient to 90-day fills at a refill.
    static let moveToNinetyDays = 0.04
    /// A switch within the class at a visit for the condition; the new drug
    /// is filled the same day, overlapping the old one's supply.
    static let switchAtVisit = 0.05
    /// Refill behaviour by adherence profile: share of patients, chance that
    /// a refill is early (1-`earlyDays` days before the supply runs out),
    /// chance it is late (`lateDays` days after), chance of stopping
    /// after a fill. About half of chronic-medication users reach PDC >= 0.8
    /// (PQA; Medicare Part D runs higher, commercial plans lower).
    struct AdherenceProfile {
        var share: Double
        var early: Double, earlyDays: Int
        var late: Double, lateDays: ClosedRange<Int>
        var stop: Double
    }
    static let adherenceProfiles: [AdherenceProfile] = [
        AdherenceProfile(share: 0.50, early: 0.15, earlyDays: 7, late: 0.12, lateDays: 3...9, stop: 0.005),
        AdherenceProfile(share: 0.32, early: 0.08, earlyDays: 5, late: 0.50, lateDays: 6...30, stop: 0.03),
        AdherenceProfile(share: 0.18, early: 0.04, earlyDays: 3, late: 0.70, lateDays: 12...60, stop: 0.10),
    ]
    /// Restarting a stopped drug at a visit for its condition.
    static let restartAtVisit = 0.5
    /// A short supply dispensed at hospital discharge.
    static let dischargeSupplyDays = 14

    // MARK: Check-in plans

    /// Check-in programmes (enrol kind `checkin`).
    struct ProgramSpec {
        var id: String
        var metric: Metric
        var everyDays: Int
    }
    static let programs: [ProgramSpec] = [
        ProgramSpec(id: "bp-home", metric: .bp, everyDays: 7),              // 0 (daily when uncontrolled)
        ProgramSpec(id: "glucose-log", metric: .glucose, everyDays: 3),     // 1 (daily on insulin, 3 or 7 otherwise)
        ProgramSpec(id: "hf-weight", metric: .weight, everyDays: 1),        // 2 daily weights in heart failure (AHA/ACC)
        ProgramSpec(id: "weight-loss", metric: .weight, everyDays: 7),      // 3
        ProgramSpec(id: "steps-challenge", metric: .steps, everyDays: 1),   // 4
        ProgramSpec(id: "habit-tracker", metric: .habit, everyDays: 1),     // 5
        ProgramSpec(id: "cardiac-rehab", metric: .heartrate, everyDays: 7), // 6 12 weeks after a cardiac stay
        ProgramSpec(id: "gdm-glucose", metric: .glucose, everyDays: 1),     // 7 until delivery
    ]
    /// Uptake among digitally engaged patients with the condition. Remote
    /// BP monitoring uptake in trials and programmes runs 20-50%.
    static let uptakeBloodPressure = 0.40
    static let uptakeGlucose = 0.45
    static let uptakeHeartFailureWeight = 0.60
    /// Weight-loss plan among chronic patients weighing 95 kg or more.
    static let uptakeWeightLoss = 0.24
    static let uptakeSteps = 0.06
    static let uptakeHabitDepression = 0.25
    static let uptakeHabitPoorAdherence = 0.10
    static let uptakeCardiacRehab = 0.55
    /// Home systolic at or above this starts the BP plan daily.
    static let dailyBloodPressureFrom = 148
    /// A daily BP plan re-enrolled as weekly after 4-6 weeks (a second
    /// enrol replaces the first).
    static let bloodPressureToWeekly = 0.5
    /// Engagement with a plan decays: a lapse (7-30 days without check-ins)
    /// starts on about one day in 80; a quarter of plans stop silently at
    /// some point (retention in remote-monitoring apps falls steeply within
    /// months), the steps challenge ends after 30-90 days with an unenrol.
    static let lapseStartPerDay = 1.0 / 80.0
    static let lapseDays = 7...30
    static let silentStop = 0.25
    /// A second BP reading the same evening.
    static let secondReading = 0.15
    /// A home reading the morning of the enrolment visit (before it).
    static let readingBeforeEnrolment = 0.3
    /// A check-in naming its programme.
    static let checkinNamesProgram = 0.7
    /// Wearable owners send an unplanned heart rate about weekly.
    static let wearableOwners = 0.08

    // MARK: Messages and content

    /// Preferred channels: wechat, sms, app, email, phone.
    static let channelShares: [Double] = [0.35, 0.28, 0.22, 0.10, 0.05]
    /// Patients who never engage digitally (no reads, check-ins or app
    /// surveys): about one adult in six does not use a smartphone app for
    /// health (Pew 2021: 15% of US adults have no smartphone).
    static let nonDigital = 0.15
    /// Digitally engaged patients who stop engaging, per year (retention of
    /// health apps falls steeply within months).
    static let disengagePerYear = 0.30

    /// An education item: its id, the condition group it is for (nil:
    /// everyone) and its base read rate (the chance that a delivered copy is
    /// opened by an average engaged patient; about 0.85x that overall once
    /// non-digital patients are counted). Health-message open rates run
    /// 15-70% (SMS/WeChat campaigns vs. post-discharge videos).
    struct ContentSpec {
        var id: String
        var group: ConditionGroup?
        var readRate: Double
    }
    static let contents: [ContentSpec] = [
        ContentSpec(id: "diet-101", group: .diabetes, readRate: 0.40),
        ContentSpec(id: "diabetes-foot-care", group: .diabetes, readRate: 0.29),
        ContentSpec(id: "glucose-monitoring", group: .diabetes, readRate: 0.32),
        ContentSpec(id: "bp-basics", group: .hypertension, readRate: 0.32),
        ContentSpec(id: "salt-reduction", group: .hypertension, readRate: 0.25),
        ContentSpec(id: "statin-faq", group: .coronary, readRate: 0.25),
        ContentSpec(id: "rehab-video-2", group: .coronary, readRate: 0.40),
        ContentSpec(id: "hf-daily-weight", group: .heartFailure, readRate: 0.40),
        ContentSpec(id: "ckd-diet", group: .ckd, readRate: 0.29),
        ContentSpec(id: "inhaler-technique", group: .copd, readRate: 0.30),
        ContentSpec(id: "asthma-action-plan", group: .asthma, readRate: 0.25),
        ContentSpec(id: "cancer-survivorship", group: .cancer, readRate: 0.29),
        ContentSpec(id: "thyroid-meds", group: .thyroid, readRate: 0.25),
        ContentSpec(id: "depression-coping", group: .depression, readRate: 0.25),
        ContentSpec(id: "pregnancy-week-by-week", group: .pregnancy, readRate: 0.50),
        ContentSpec(id: "gdm-diet", group: .pregnancy, readRate: 0.47),
        ContentSpec(id: "sleep-hygiene", group: nil, readRate: 0.22),
        ContentSpec(id: "exercise-150", group: nil, readRate: 0.20),
        ContentSpec(id: "flu-vaccine", group: nil, readRate: 0.18),
        // Carried by marketing campaigns and the cardiology journey only.
        ContentSpec(id: "checkup-promo", group: nil, readRate: 0.21),
        ContentSpec(id: "rehab-video-1", group: .coronary, readRate: 0.60),
    ]
    static let marketingContent = 19
    static let rehabVideoContent = 20
    static let generalContentCount = 3
    /// Days between education messages: chronic patients about monthly,
    /// others every two to four months.
    static let educationEveryChronic = 21...45
    static let educationEveryOther = 45...120
    /// A read: fully read (progress >= 0.9) or partial; when the reader
    /// comes back later.
    static let readCompletely = 0.5
    static let readSameDay = 0.55
    static let readWithin3Days = 0.30
    static let reread = 0.15
    /// Reads of content not sent to the patient (browsing the app), per
    /// engaged patient-day.
    static let browsePerDay = 1.0 / 200.0
    /// Marketing campaigns every 90 days, to this share of the patients who
    /// may be messaged, all at 10:00:00 (one batch).
    static let campaignEveryDays = 90
    static let campaignReach = 0.55
    /// Inbound messages patients start (questions), per engaged patient-year;
    /// a nurse answers.
    static let inboundPerYear = 0.8
    /// After a follow-up visit of a chronic patient, a follow-up message
    /// 2-4 days later; replies: inbound, survey or read depending on the
    /// message.
    static let followupAfterVisit = 0.25
    /// Reply to a follow-up (phone calls are answered more often); 10% of the
    /// replies come after the 7-day window.
    static let followupReplyBase = 0.20
    static let followupReplyPerEngagement = 0.60
    static let followupReplyPhone = 0.55
    static let lateReply = 0.10

    // MARK: Surveys

    /// PHQ-9 for depression patients every 2-4 months by message (the
    /// measurement-based-care cadence), at checkups for everyone (USPSTF
    /// recommends screening all adults). Mean score 14 at baseline for
    /// treated depression, falling about 1 point a month; q9 (self-harm
    /// thoughts) >= 1 in a few percent of answers.
    static let phq9EveryDays = 60...120
    static let phq9AtCheckup = 0.5
    static let phq9ScoreGiven = 0.5
    /// Satisfaction surveys after a fifth of visits; NPS twice a year.
    /// Survey response rates of 10-40% are usual for SMS/app surveys.
    static let satisfactionAfterVisit = 0.20
    static let npsEveryDays = 150...210
    static let surveyResponseBase = 0.10
    static let surveyResponsePerEngagement = 0.45
    /// NPS answers: about half promoters, a fifth detractors (healthcare NPS
    /// is typically +30 to +60).
    static let npsScoreWeights: [Double] = [0.02, 0.01, 0.01, 0.02, 0.02, 0.05, 0.06, 0.12, 0.19, 0.22, 0.28]
    /// Satisfaction 0-10, mean about 7.6 (patient-experience scores cluster
    /// high).
    static let satisfactionWeights: [Double] = [0.01, 0.01, 0.01, 0.02, 0.03, 0.06, 0.08, 0.15, 0.25, 0.20, 0.18]
    /// Other surveys: an intake questionnaire at registration (no score,
    /// sometimes submitted blank), GAD-7 at depression visits, the COPD
    /// Assessment Test at COPD visits.
    static let intakeAtJoin = 0.35
    static let intakeBlank = 0.03
    static let gad7AtVisit = 0.3
    static let catAtVisit = 0.25

    // MARK: Consent, tags, erasure

    /// Explicit consent events at registration (the rest keep the defaults:
    /// messaging yes, research and sharing no).
    static let consentAtJoin = 0.70
    static let researchGranted = 0.30
    static let sharingGranted = 0.45
    /// Messaging opt-outs per patient-year (SMS opt-out rates of a few
    /// percent a year); a fifth opt back in 20-120 days later.
    static let messagingWithdrawalPerYear = 0.03
    static let messagingRegrant = 0.2
    static let researchWithdrawalPerYear = 0.01
    /// Manual tags added by staff per patient-year; a quarter removed later.
    static let tagPerYear = 0.06
    static let tagRemoved = 0.25
    static let manualTags = ["vip", "interpreter-needed", "frail-elderly", "callback-requested", "smoker", "high-cost", "transport-help"]
    /// Erasure requests per patient-year (GDPR-style requests are rare; a
    /// few per thousand patients); a fifth of them come back later as a new
    /// history.
    static let erasurePerYear = 0.004
    static let rejoinAfterErasure = 0.2

    // MARK: Upstream behaviour

    /// Events arriving 1-72 hours late (a feed catching up).
    static let delayed = 0.02
    static let delayMinutes = 60...(72 * 60)
    /// Events with an `id` re-sent by an upstream retry, 1 minute to 6 hours later.
    static let resent = 0.01
    static let resendMinutes = 1...360
    /// Check-ins synced from wearables without an `id`.
    static let wearableWithoutId = 0.4

    // MARK: Staff and systems (`actor`)

    static let doctors = 40
    static let nurses = 25
    static let pharmacies = 6
    static let actorShare = 0.4
}

/// The condition groups of metrics.md the generator gives patients.
enum ConditionGroup: Int, CaseIterable {
    case hypertension, diabetes, coronary, heartFailure, ckd, copd, asthma, cancer, thyroid, depression, pregnancy

    var bit: UInt16 { 1 << UInt16(rawValue) }
}

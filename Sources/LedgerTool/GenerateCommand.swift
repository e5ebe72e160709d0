#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import LedgerSimulation
import PatientLedger

/// `ledger generate --patients N`: a synthetic cohort as JSON Lines
/// (``CohortGenerator``), streamed.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a realistic synthetic cohort as JSON Lines (deterministic for a seed).",
        discussion: """
            Patients P000001... of a general outpatient panel over D days ending
            2026-06-30: chronic conditions at realistic prevalence, visit cadences by
            condition, inpatient stays with discharge and a post-discharge follow-up
            journey, education messages with partial reads, check-in plans with lapses,
            monthly and 90-day refills with early and late refills, PHQ-9, satisfaction
            and NPS surveys, consent withdrawals, a few erasures, duplicated ids as an
            upstream resends them and some events out of time order. Docs/CohortModel.md
            describes the model and its figures. Every line is valid by construction:
            `ledger import` accepts the output with zero errors.

            Writes to FILE, or to standard output; the summary goes to standard error.
            """
    )

    @Option(help: "Number of patients.")
    var patients: Int

    @Option(help: "Days of history, ending 2026-06-30.")
    var days: Int = 365

    @Option(help: "Random seed: the same seed gives the same output.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        guard patients >= 1 else { throw ValidationError("--patients must be at least 1") }
        guard days >= 1 && days <= 36_500 else { throw ValidationError("--days must be 1...36500") }
    }

    func run() throws {
        let descriptor: Int32
        if let out {
            descriptor = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                StandardError.report("\(out): cannot create (\(String(cString: strerror(errno))))")
                throw ExitStatus.cannotWrite
            }
        } else {
            descriptor = STDOUT_FILENO
        }
        defer { if out != nil { close(descriptor) } }
        let target = out ?? "standard output"
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var failure: Int32 = 0
        let bar = ProgressBar("generating", unit: .items("events"))
        let started = ProgressBar.now()
        let generator = CohortGenerator(patients: patients, days: days, seed: seed)
        var emitted: Int64 = 0
        func drain() {
            var done = 0
            while done < buffer.count && failure == 0 {
                let n = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
                if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { failure = n < 0 ? errno : EIO }
            }
            buffer.removeAll(keepingCapacity: true)
        }
        let summary = generator.generate { event in
            EventJSON.append(event, to: &buffer)
            buffer.append(UInt8(ascii: "\n"))
            emitted += 1
            if buffer.count >= 1 << 20 {
                drain()
                bar.update(emitted, of: 0)
            }
        }
        drain()
        bar.finish()
        if failure != 0 {
            StandardError.report("\(target): write failed (\(String(cString: strerror(failure))))")
            throw ExitStatus.cannotWrite
        }
        let seconds = ProgressBar.now() - started
        StandardError.writeLine("generated \(summary.events) events for \(summary.patients) patients over \(days) days (seed \(seed)) "
            + "in \(HumanFormat.fixed(seconds, places: 2)) s (\(Int(Double(summary.events) / max(seconds, 1e-9))) events/s)")
    }
}

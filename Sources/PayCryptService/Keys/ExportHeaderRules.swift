// The rules for the header an exported key carries (TR-31 and TR-34): `KeyBlockHeaders` may narrow
// what the receiver may do with the key, never widen it.
//
// Sources: AWS Payment Cryptography API reference, KeyBlockHeaders: "KeyModesOfUse ... Specifies
// subsequent use of the key after import" and KeyExportability "can be used to further restrict
// exportability of the key after export"
// (https://docs.aws.amazon.com/payment-cryptography/latest/APIReference/API_KeyBlockHeaders.html);
// ANSI X9.143-2022 exportability byte: `E` exportable under a KEK in a form meeting X9.24,
// `S` sensitive (also exportable in other forms), `N` non-exportable. README, Decisions:
// "Export narrows only" and "Exportability of a key".

import PayCryptModel
import PayCryptStore
import PaymentCryptography

/// What an export header may say about the exported key, given the key.
enum ExportHeaderRules {
    /// Why `requested` modes of use are not a narrowing of the key's `held` modes, or nil when
    /// they are. A NoRestrictions key may be exported with any modes (the header is then narrower);
    /// a restricted key may not be exported as NoRestrictions, nor with a mode it does not have.
    static func modesRefusal(requested: KeyModes, held: KeyModes) -> String? {
        if held.noRestrictions { return nil }
        if requested.noRestrictions {
            return "the key has restricted modes of use (\(held.names.sorted().joined(separator: ", "))) and cannot be exported as NoRestrictions"
        }
        let added = requested.names.subtracting(held.names)
        if !added.isEmpty {
            return "the key does not have the mode(s) \(added.sorted().joined(separator: ", ")); an export may only remove modes of use"
        }
        return nil
    }

    /// Exportability ranks: `N` < `E` < `S` (the receiver may do less with `N` than `E`, less with
    /// `E` than `S`). Other letters have no rank and are refused.
    static func rank(_ e: TR31Exportability) -> Int? {
        if e == .nonExportable { return 0 }
        if e == .exportable { return 1 }
        if e == .sensitive { return 2 }
        return nil
    }

    /// The exportability the key itself has, as an X9.143 letter: the letter of the key block it
    /// was imported from when one was recorded; otherwise `S` for an exportable key (keys created
    /// in the service, or imported by RSA KeyCryptogram with `Exportable: true`), `N` for others.
    static func exportability(of record: KeyRecord) -> TR31Exportability {
        guard record.exportable else { return .nonExportable }
        if let letter = record.exportability, let e = TR31Exportability(rawValue: letter), rank(e) != nil { return e }
        return .sensitive
    }

    /// The AWS name of an exportability letter, for messages.
    static func awsName(_ e: TR31Exportability) -> String {
        if e == .nonExportable { return "NON_EXPORTABLE" }
        if e == .exportable { return "EXPORTABLE" }
        if e == .sensitive { return "SENSITIVE" }
        return e.rawValue
    }

    /// The letter of a `KeyBlockHeaders.KeyExportability`.
    static func letter(_ wire: ControlPlane.KeyExportability) -> TR31Exportability {
        switch wire {
        case .exportable: .exportable
        case .nonExportable: .nonExportable
        case .sensitive: .sensitive
        }
    }
}

extension PaymentCryptographyService {
    /// The modes of use an export header may carry: the key's own, or a narrowing of them given by
    /// `KeyBlockHeaders.KeyModesOfUse` that is still a valid combination for the key's usage.
    /// A widening is a ValidationException naming `field`.
    func exportModes(_ requested: ControlPlane.KeyModesOfUse?, record: KeyRecord, field: String) throws -> KeyModes {
        guard let requested else { return record.modes }
        let modes = KeyModes(wire: requested)
        if let problem = ExportHeaderRules.modesRefusal(requested: modes, held: record.modes) {
            throw ServiceError.validation("\(field) may not widen the exported key's modes of use: \(problem).", field: field)
        }
        if let problem = KeyAttributeRules.check(keyUsage: record.keyUsage, keyClass: record.keyClass,
                                                 keyAlgorithm: record.keyAlgorithm, modes: modes.names) {
            throw ServiceError.validation("\(field) is not valid for the exported key: \(problem)", field: field)
        }
        return modes
    }

    /// The exportability an export header carries: `E` unless `KeyBlockHeaders.KeyExportability`
    /// lowers it (or keeps it). Raising it above the key's own exportability is a ValidationException.
    func exportExportability(_ requested: ControlPlane.KeyExportability?, record: KeyRecord, field: String) throws -> TR31Exportability {
        let held = ExportHeaderRules.exportability(of: record)
        guard let requested else {
            // The default header letter: E, or the key's own when that is lower.
            return (ExportHeaderRules.rank(held) ?? 0) < 1 ? held : .exportable
        }
        let wanted = ExportHeaderRules.letter(requested)
        guard let wantedRank = ExportHeaderRules.rank(wanted) else {
            throw ServiceError.validation("\(field) must be EXPORTABLE, NON_EXPORTABLE or SENSITIVE.", field: field)
        }
        guard wantedRank <= (ExportHeaderRules.rank(held) ?? 0) else {
            throw ServiceError.validation("\(field) may not raise the exported key's exportability: the key is \(ExportHeaderRules.awsName(held)), "
                                          + "so the header may say \(ExportHeaderRules.awsName(held)) or lower, not \(ExportHeaderRules.awsName(wanted)).",
                                          field: field)
        }
        return wanted
    }

    /// Refuses `method` when the strength table does not let `wrapping` protect the key.
    func checkStrength(_ method: KeyStrength.Method, material: SymmetricKeyMaterial, wrapping: KeyStrength.WrappingKey?,
                       wrappingDescription: String, field: String) throws {
        let row = KeyStrength.ProtectedClass(algorithm: material.algorithm, keyByteCount: material.bytes.count)
        guard let wrapping else {
            throw ServiceError.validation("\(wrappingDescription) is not a wrapping key AWS supports for \(method.rawValue).", field: field)
        }
        if let problem = KeyStrength.refusal(method, protecting: row, keyAlgorithm: material.algorithm.rawValue, with: wrapping) {
            throw ServiceError.validation(problem, field: field)
        }
    }
}

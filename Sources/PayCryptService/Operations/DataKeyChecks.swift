import PayCryptStore

/// The mode of use a data-plane operation needs from its key (`NoRestrictions` satisfies each).
enum RequiredKeyMode: String, Sendable {
    case generate = "Generate"
    case verify = "Verify"
    case deriveKey = "DeriveKey"
    case encrypt = "Encrypt"
    case decrypt = "Decrypt"

    func allows(_ m: KeyModes) -> Bool {
        if m.noRestrictions { return true }
        switch self {
        case .generate: return m.generate
        case .verify: return m.verify
        case .deriveKey: return m.deriveKey
        case .encrypt: return m.encrypt
        case .decrypt: return m.decrypt
        }
    }
}

/// The key checks every data-plane operation shares (README Decisions, "disabled or deleted key"):
/// a key that is deleted, pending deletion, not ready or disabled is refused, and a key whose
/// usage or mode does not fit is refused with AWS's live message shape.
///
/// The checks are inlined: the record of a cached key (``KeyMaterialCache/Entry``) is then read in
/// place; a call would copy it, retaining each of its strings, on every request.
enum DataKeyChecks {
    /// Refuses a key that is not `CREATE_COMPLETE` and enabled (README Decisions: ValidationException).
    @inline(__always)
    static func requireUsableState(_ record: KeyRecord) throws {
        switch record.state {
        case .CREATE_COMPLETE: break
        case .DELETE_PENDING: throw ServiceError.validation("Key \(record.arn) is pending deletion and cannot be used.")
        case .DELETE_COMPLETE: throw ServiceError.validation("Key \(record.arn) is deleted and cannot be used.")
        case .CREATE_IN_PROGRESS: throw ServiceError.validation("Key \(record.arn) is not ready.")
        }
        guard record.enabled else { throw ServiceError.validation("Key \(record.arn) is disabled (StopKeyUsage); StartKeyUsage enables it.") }
    }

    /// Refuses a key whose `KeyUsage` is not one of `usages` (live message).
    @inline(__always)
    static func requireUsage(_ record: KeyRecord, in usages: [String]) throws {
        guard usages.contains(record.keyUsage) else {
            throw ServiceError.validation("KeyUsage of the input key \(record.arn) is invalid for the operation.")
        }
    }

    /// Refuses a key whose modes of use do not allow `mode`.
    @inline(__always)
    static func requireMode(_ record: KeyRecord, _ mode: RequiredKeyMode) throws {
        guard mode.allows(record.modes) else {
            throw ServiceError.validation("KeyModesOfUse of the input key \(record.arn) does not allow this operation (it needs \(mode.rawValue)).")
        }
    }
}

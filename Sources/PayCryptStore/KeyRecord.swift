/// The nine `KeyModesOfUse` booleans of AWS.
public struct KeyModes: Sendable, Codable, Equatable, Hashable {
    /// `Encrypt`: the key may encrypt data.
    public var encrypt = false
    /// `Decrypt`: the key may decrypt data.
    public var decrypt = false
    /// `Wrap`: the key may wrap (export) other keys.
    public var wrap = false
    /// `Unwrap`: the key may unwrap (import) other keys.
    public var unwrap = false
    /// `Generate`: the key may generate MACs, PIN data and the like.
    public var generate = false
    /// `Sign`: the key may sign.
    public var sign = false
    /// `Verify`: the key may verify MACs, signatures and the like.
    public var verify = false
    /// `DeriveKey`: the key may derive other keys.
    public var deriveKey = false
    /// `NoRestrictions`: the key may be used for any operation its usage allows.
    public var noRestrictions = false

    /// Creates a set of modes; every mode not named is false.
    public init(encrypt: Bool = false, decrypt: Bool = false, wrap: Bool = false, unwrap: Bool = false, generate: Bool = false,
                sign: Bool = false, verify: Bool = false, deriveKey: Bool = false, noRestrictions: Bool = false) {
        self.encrypt = encrypt
        self.decrypt = decrypt
        self.wrap = wrap
        self.unwrap = unwrap
        self.generate = generate
        self.sign = sign
        self.verify = verify
        self.deriveKey = deriveKey
        self.noRestrictions = noRestrictions
    }
}

/// AWS `KeyState`.
public enum KeyState: String, Sendable, Codable, CaseIterable {
    case CREATE_IN_PROGRESS, CREATE_COMPLETE, DELETE_PENDING, DELETE_COMPLETE
}

/// A resource tag.
public struct TagRecord: Sendable, Codable, Equatable, Hashable {
    /// The tag's key.
    public var key: String
    /// The tag's value (may be empty).
    public var value: String
    /// Creates a tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One key as the store keeps it. The key material is sealed under the master key
/// (``MasterKey``); the clear material never appears in a record.
public struct KeyRecord: Sendable, Codable, Equatable {
    /// The key id: the last part of the ARN (16 lower-case base32 characters for created keys).
    public var keyId: String
    /// The 12-digit account id that owns the key.
    public var account: String
    /// The region the key lives in.
    public var region: String
    /// `KeyAttributes.KeyUsage`, e.g. `TR31_M3_ISO_9797_3_MAC_KEY`.
    public var keyUsage: String
    /// `KeyAttributes.KeyClass`, e.g. `SYMMETRIC_KEY`.
    public var keyClass: String
    /// `KeyAttributes.KeyAlgorithm`, e.g. `TDES_2KEY`.
    public var keyAlgorithm: String
    /// `KeyAttributes.KeyModesOfUse`.
    public var modes: KeyModes
    /// The key check value (upper-case hex).
    public var keyCheckValue: String
    /// `KeyCheckValueAlgorithm`: `ANSI_X9_24`, `CMAC` or `HMAC`.
    public var keyCheckValueAlgorithm: String
    /// `Enabled`.
    public var enabled: Bool
    /// `Exportable`.
    public var exportable: Bool
    /// The ANSI X9.143 exportability letter (`E`, `S` or `N`) of the key block the key was
    /// imported from (TR-31, TR-34); nil for keys created in the service or imported otherwise.
    public var exportability: String?
    /// `KeyState`.
    public var state: KeyState
    /// `KeyOrigin`: `AWS_PAYMENT_CRYPTOGRAPHY` (created) or `EXTERNAL` (imported).
    public var origin: String
    /// `DeriveKeyUsage`, when the key was created with one.
    public var deriveKeyUsage: String?
    /// Epoch seconds.
    public var createTimestamp: Double
    /// `UsageStartTimestamp`, epoch seconds, when set.
    public var usageStartTimestamp: Double?
    /// `UsageStopTimestamp`, epoch seconds, when set.
    public var usageStopTimestamp: Double?
    /// `DeletePendingTimestamp`, epoch seconds: when DeleteKey was called.
    public var deletePendingTimestamp: Double?
    /// `DeleteTimestamp`, epoch seconds: when the key becomes `DELETE_COMPLETE`.
    public var deleteTimestamp: Double?
    /// Tags in the order they were set.
    public var tags: [TagRecord]
    /// The key material sealed by ``MasterKey/seal(_:context:)`` with the key ARN as context.
    public var sealedMaterial: [UInt8]
    /// `MultiRegionKeyType`: `PRIMARY` for a key replicated to other regions, `REPLICA` for its copy
    /// in one of them, nil for a single-region key (README, Decisions: Multi-Region fields).
    public var multiRegionKeyType: String?
    /// `PrimaryRegion` of a replica: the region of its primary; nil otherwise.
    public var primaryRegion: String?
    /// The regions a primary is replicated to, in the order they were added; empty otherwise.
    public var replicationRegions: [String] = []
    /// `UsingDefaultReplicationRegions` of a primary: true when its regions came from the account's
    /// defaults for its region (README, Decisions: default replication regions); nil for a single-region key or a replica.
    public var usingDefaultReplicationRegions: Bool?
    /// `MpaStatus` of a root certificate imported while a Multi-party approval team was associated
    /// (README, Decisions: MPA-guarded import); nil otherwise.
    public var mpaApproval: MpaApprovalRecord?
    /// How many times the record was committed: 1 when inserted, one more for every
    /// ``KeyStore/updateKey(account:region:keyId:_:)``. The store sets it; a cache compares it.
    public var version: Int64 = 1

    /// The key ARN.
    public var arn: String { KeyRecord.arn(region: region, account: account, keyId: keyId) }

    /// True for the copy of a primary key in another region (README, "Multi-Region keys and MPA teams").
    public var isReplica: Bool { multiRegionKeyType == "REPLICA" }

    /// True when the key is `DELETE_PENDING` and its deletion time has come.
    public func isDeletionDue(asOf now: Double) -> Bool {
        state == .DELETE_PENDING && (deletePendingTimestamp.map { now >= $0 } ?? false)
    }

    /// The record as it is at `now`: a `DELETE_PENDING` key whose time has come is
    /// `DELETE_COMPLETE`, deleted at its `DeletePendingTimestamp`.
    public func effective(asOf now: Double) -> KeyRecord {
        guard isDeletionDue(asOf: now) else { return self }
        var record = self
        record.state = .DELETE_COMPLETE
        record.deleteTimestamp = deletePendingTimestamp
        return record
    }

    /// Builds a key ARN.
    public static func arn(region: String, account: String, keyId: String) -> String {
        // Appended rather than interpolated (faster in Swift): this runs on every request.
        var arn = "arn:aws:payment-cryptography:"
        arn.reserveCapacity(arn.utf8.count + region.utf8.count + account.utf8.count + keyId.utf8.count + 6)
        arn += region
        arn += ":"
        arn += account
        arn += ":key/"
        arn += keyId
        return arn
    }

    /// Creates a key record; see the properties for each field's meaning.
    public init(keyId: String, account: String, region: String, keyUsage: String, keyClass: String, keyAlgorithm: String,
                modes: KeyModes, keyCheckValue: String, keyCheckValueAlgorithm: String, enabled: Bool, exportable: Bool,
                state: KeyState, origin: String, deriveKeyUsage: String? = nil, createTimestamp: Double,
                usageStartTimestamp: Double? = nil, usageStopTimestamp: Double? = nil, deletePendingTimestamp: Double? = nil,
                deleteTimestamp: Double? = nil, tags: [TagRecord] = [], sealedMaterial: [UInt8], exportability: String? = nil) {
        self.keyId = keyId
        self.account = account
        self.region = region
        self.keyUsage = keyUsage
        self.keyClass = keyClass
        self.keyAlgorithm = keyAlgorithm
        self.modes = modes
        self.keyCheckValue = keyCheckValue
        self.keyCheckValueAlgorithm = keyCheckValueAlgorithm
        self.enabled = enabled
        self.exportable = exportable
        self.exportability = exportability
        self.state = state
        self.origin = origin
        self.deriveKeyUsage = deriveKeyUsage
        self.createTimestamp = createTimestamp
        self.usageStartTimestamp = usageStartTimestamp
        self.usageStopTimestamp = usageStopTimestamp
        self.deletePendingTimestamp = deletePendingTimestamp
        self.deleteTimestamp = deleteTimestamp
        self.tags = tags
        self.sealedMaterial = sealedMaterial
    }
}

/// The Multi-party approval of one protected request, as paycrypt records it: approved at once
/// (README, Decisions: MPA emulation: an emulator has no approvers).
public struct MpaApprovalRecord: Sendable, Codable, Equatable, Hashable {
    /// `MpaSessionArn`: `arn:<partition>:mpa:<team region>:<team account>:session/<team name>/<UUID>`.
    public var sessionArn: String
    /// `Status`: `APPROVED`.
    public var status: String
    /// `InitiationDate`, epoch seconds: when the request was made.
    public var initiationDate: Double

    /// Creates an approval record.
    public init(sessionArn: String, status: String, initiationDate: Double) {
        self.sessionArn = sessionArn
        self.status = status
        self.initiationDate = initiationDate
    }
}

/// The Multi-party approval team associated with one protected action of an account and region
/// (README, Decisions: MPA emulation: one association per account, region and action).
public struct MpaAssociationRecord: Sendable, Codable, Equatable, Hashable {
    /// The 12-digit account id of the association.
    public var account: String
    /// The region of the association.
    public var region: String
    /// The protected action (`IMPORT_ROOT_PUBLIC_KEY_CERTIFICATE`).
    public var action: String
    /// `MpaTeamArn`: the team (possibly of another account).
    public var teamArn: String

    /// Creates an association record.
    public init(account: String, region: String, action: String, teamArn: String) {
        self.account = account
        self.region = region
        self.action = action
        self.teamArn = teamArn
    }
}

/// One alias. An alias may exist without a key.
public struct AliasRecord: Sendable, Codable, Equatable {
    /// `alias/<name>`.
    public var aliasName: String
    /// The 12-digit account id that owns the alias.
    public var account: String
    /// The region the alias lives in.
    public var region: String
    /// The key id the alias points at, if any.
    public var keyId: String?

    /// Creates an alias record.
    public init(aliasName: String, account: String, region: String, keyId: String?) {
        self.aliasName = aliasName
        self.account = account
        self.region = region
        self.keyId = keyId
    }

    /// The alias ARN.
    public var aliasArn: String { "arn:aws:payment-cryptography:\(region):\(account):\(aliasName)" }
    /// The ARN of the key the alias points at.
    public var keyArn: String? { keyId.map { KeyRecord.arn(region: region, account: account, keyId: $0) } }
}

/// The parameters handed out by GetParametersForImport: the RSA wrapping key (sealed) and its
/// certificates, valid until `validUntil`, usable by one account and region.
public struct ImportTokenRecord: Sendable, Codable, Equatable {
    /// `import-token-...`.
    public var token: String
    /// The 12-digit account id the token was issued to.
    public var account: String
    /// The region the token was issued in.
    public var region: String
    /// `KEY_CRYPTOGRAM` or `TR34_KEY_BLOCK`.
    public var keyMaterialType: String
    /// `RSA_2048`, `RSA_3072` or `RSA_4096`.
    public var wrappingKeyAlgorithm: String
    /// The wrapping private key (PKCS#8 DER) sealed under the master key with the token as context.
    public var sealedPrivateKey: [UInt8]
    /// The wrapping certificate, PEM.
    public var certificatePEM: String
    /// The chain (the service's CA certificate), PEM.
    public var certificateChainPEM: String
    /// Epoch seconds after which the token is refused.
    public var validUntil: Double

    /// Creates an import token record.
    public init(token: String, account: String, region: String, keyMaterialType: String, wrappingKeyAlgorithm: String,
                sealedPrivateKey: [UInt8], certificatePEM: String, certificateChainPEM: String, validUntil: Double) {
        self.token = token
        self.account = account
        self.region = region
        self.keyMaterialType = keyMaterialType
        self.wrappingKeyAlgorithm = wrappingKeyAlgorithm
        self.sealedPrivateKey = sealedPrivateKey
        self.certificatePEM = certificatePEM
        self.certificateChainPEM = certificateChainPEM
        self.validUntil = validUntil
    }
}

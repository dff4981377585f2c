//! Keys and wallets: Substrate/Bittensor compatibility, against a fixture written by
//! bittensor-wallet 4.1.1 (tests/fixtures/btwallet, see its README).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use subnet_core::keys::{self, verify, KeyError, Keypair, PublicKey, Wallet, WalletError};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/btwallet")
}

fn expected() -> Value {
    let text = fs::read_to_string(fixture_dir().join("expected.json")).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn fixture_wallet(hotkey: &str) -> Wallet {
    Wallet::new(fixture_dir().join("wallets"), "fixture", hotkey).expect("valid names")
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_else(|| panic!("fixture field {path:?}"))
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).expect("fixture hex")
}

// ---------------------------------------------------------------- derivation

#[test]
fn dev_uris_give_the_well_known_addresses() {
    let cases = [
        ("//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
        ("//Bob", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"),
        ("//Charlie", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"),
        ("//Alice//stash", "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"),
    ];
    for (uri, address) in cases {
        let kp = Keypair::from_uri(uri).unwrap();
        assert_eq!(kp.ss58_address(), address, "{uri}");
    }
    // The same through the dev phrase spelled out.
    let alice = Keypair::from_uri(&format!("{}//Alice", keys::DEV_PHRASE)).unwrap();
    assert_eq!(alice.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    // Alice's public key as Substrate documents it.
    assert_eq!(alice.public_key().to_hex(), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
}

#[test]
fn dev_uris_match_bittensor_wallet() {
    let exp = expected();
    for (uri, address) in exp["dev_uris"].as_object().unwrap() {
        assert_eq!(Keypair::from_uri(uri).unwrap().ss58_address(), address.as_str().unwrap());
    }
}

#[test]
fn soft_derivation_and_passwords() {
    // Cross-checked against bittensor-wallet in `dev_uris_match_bittensor_wallet`;
    // these are the properties.
    let kp = Keypair::from_uri("//Alice/soft").unwrap();
    let again = Keypair::from_uri("//Alice/soft").unwrap();
    assert_eq!(kp.public_key(), again.public_key(), "soft derivation is deterministic");
    assert_ne!(kp.public_key(), Keypair::from_uri("//Alice//soft").unwrap().public_key());
    assert!(kp.expose_seed().is_none(), "no seed after a soft junction");
    assert!(Keypair::from_uri("//Alice//stash").unwrap().expose_seed().is_some());
    // A password changes the key; the empty password is the same as none.
    let with_pw = Keypair::from_uri("//Alice///password").unwrap();
    assert_ne!(with_pw.public_key(), Keypair::from_uri("//Alice").unwrap().public_key());
    assert_eq!(Keypair::from_uri(&format!("{}///", keys::DEV_PHRASE)).unwrap().public_key(), Keypair::from_uri("").unwrap().public_key());
    // Numeric junctions are encoded as u64, so leading zeros do not matter.
    assert_eq!(Keypair::from_uri("//1").unwrap().public_key(), Keypair::from_uri("//01").unwrap().public_key());
    // Derived keys sign like any other.
    let sig = kp.sign(b"m");
    assert!(verify(kp.public_key().as_bytes(), b"m", &sig));
    assert!(matches!(Keypair::from_uri("//Alice//"), Err(KeyError::InvalidUri(_))));
    assert!(matches!(Keypair::from_uri("0x1234///pw"), Err(KeyError::InvalidUri(_))));
}

#[test]
fn seed_uri_and_seed_hex_agree() {
    let exp = expected();
    let seed = s(&exp, &["fromseed2", "seed"]);
    let a = Keypair::from_seed_hex(seed).unwrap();
    let b = Keypair::from_uri(seed).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    assert_eq!(a.ss58_address(), s(&exp, &["fromseed2", "ss58"]));
    assert_eq!(a.public_key().to_hex(), s(&exp, &["fromseed2", "public_key"]));
    let seed1 = Keypair::from_seed_hex(s(&exp, &["fromseed", "seed"])).unwrap();
    assert_eq!(seed1.ss58_address(), s(&exp, &["fromseed", "ss58"]));
}

#[test]
fn mnemonic_gives_the_address_bittensor_wallet_gives() {
    let exp = expected();
    for who in ["hotkey", "coldkey"] {
        let kp = Keypair::from_mnemonic(s(&exp, &[who, "mnemonic"]), None).unwrap();
        assert_eq!(kp.ss58_address(), s(&exp, &[who, "ss58"]), "{who}");
        assert_eq!(kp.public_key().to_hex(), s(&exp, &[who, "public_key"]), "{who}");
    }
    // The hotkey's privateKey is schnorrkel's canonical encoding, byte for byte.
    let hot = Keypair::from_mnemonic(s(&exp, &["hotkey", "mnemonic"]), None).unwrap();
    assert_eq!(format!("0x{}", hex::encode(&hot.expose_secret_key_bytes()[..])), s(&exp, &["hotkey", "private_key"]));
}

#[test]
fn mnemonic_errors_are_typed_and_do_not_echo_words() {
    let err = Keypair::from_mnemonic("abandon abandon notaword", None).unwrap_err();
    assert!(matches!(err, KeyError::InvalidMnemonic(_)));
    assert!(!err.to_string().contains("notaword"), "{err}");
    let bad_checksum = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon";
    assert!(matches!(Keypair::from_mnemonic(bad_checksum, None), Err(KeyError::InvalidMnemonic(_))));
    assert!(matches!(Keypair::generate(13), Err(KeyError::InvalidWordCount(13))));
}

#[test]
fn seed_errors_are_typed() {
    assert!(matches!(Keypair::from_seed_hex("0x1234"), Err(KeyError::InvalidLength { expected: 32, got: 2, .. })));
    let err = Keypair::from_seed_hex(&format!("0x{}q", "1".repeat(63))).unwrap_err();
    assert!(matches!(err, KeyError::InvalidHex { .. }));
    assert!(!err.to_string().contains('q'));
    assert!(matches!(Keypair::from_secret_key_bytes(&[0u8; 10]), Err(KeyError::InvalidLength { expected: 64, got: 10, .. })));
}

// ---------------------------------------------------------------- SS58

#[test]
fn ss58_round_trip_and_checksum() {
    let alice = Keypair::from_uri("//Alice").unwrap();
    let address = alice.ss58_address();
    assert_eq!(PublicKey::from_ss58(&address).unwrap(), alice.public_key());
    assert_eq!(keys::ss58::decode(&address).unwrap().0, 42);
    // Polkadot (prefix 0) address of Alice, as Substrate documents it.
    assert_eq!(keys::ss58::encode(0, alice.public_key().as_bytes()), "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5");
    // A two-byte prefix round-trips.
    let two = keys::ss58::encode(1000, alice.public_key().as_bytes());
    assert_eq!(keys::ss58::decode(&two).unwrap(), (1000, alice.public_key().0));
    // Flip one character: checksum failure (or invalid base58), never a panic.
    let mut chars: Vec<char> = address.chars().collect();
    chars[10] = if chars[10] == 'a' { 'b' } else { 'a' };
    let tampered: String = chars.into_iter().collect();
    assert!(PublicKey::from_ss58(&tampered).is_err());
    assert!(PublicKey::from_ss58("").is_err());
    assert!(PublicKey::from_ss58("0OIl").is_err());
    assert!(PublicKey::from_ss58("5Grwva").is_err());
}

// ---------------------------------------------------------------- signatures

#[test]
fn sign_verify_round_trip_and_tampering() {
    let kp = Keypair::from_uri("//Alice").unwrap();
    let bob = Keypair::from_uri("//Bob").unwrap();
    let msg = b"weights for netuid 1";
    let sig = kp.sign(msg);
    assert!(kp.verify(msg, &sig));
    assert!(verify(kp.public_key().as_bytes(), msg, &sig));
    assert!(kp.public_key().verify(msg, &sig));

    // Tampered message.
    assert!(!verify(kp.public_key().as_bytes(), b"weights for netuid 2", &sig));
    // Tampered signature (every byte position matters).
    for i in [0, 31, 32, 62] {
        let mut bad = sig;
        bad[i] ^= 0x01;
        assert!(!verify(kp.public_key().as_bytes(), msg, &bad), "byte {i}");
    }
    // Wrong key.
    assert!(!verify(bob.public_key().as_bytes(), msg, &sig));
    let mut bad_key = kp.public_key().0;
    bad_key[0] ^= 0x01;
    assert!(!verify(&bad_key, msg, &sig));
    // Malformed lengths fail, never panic.
    assert!(!verify(&bad_key[..31], msg, &sig));
    assert!(!verify(kp.public_key().as_bytes(), msg, &sig[..63]));
    assert!(!verify(&[], msg, &[]));
}

#[test]
fn python_signatures_verify_in_rust() {
    let exp = expected();
    let sigs = exp["signatures"].as_array().unwrap();
    assert!(sigs.len() >= 12);
    for entry in sigs {
        let public = PublicKey::from_ss58(s(entry, &["ss58"])).unwrap();
        let msg = unhex(s(entry, &["message_hex"]));
        let sig = unhex(s(entry, &["signature_hex"]));
        assert!(verify(public.as_bytes(), &msg, &sig), "{entry}");
        let mut other = msg.clone();
        other.push(0);
        assert!(!verify(public.as_bytes(), &other, &sig));
    }
}

#[test]
fn rust_signatures_verify_for_the_python_key() {
    // A signature made by our key for the fixture's public key verifies against that
    // public key as bittensor-wallet computed it (and vice versa above).
    let exp = expected();
    let wallet = fixture_wallet("default");
    let kp = wallet.hotkey_keypair().unwrap();
    let python_public = PublicKey::from_hex(s(&exp, &["hotkey", "public_key"])).unwrap();
    let sig = kp.sign(b"signed in Rust");
    assert!(verify(python_public.as_bytes(), b"signed in Rust", &sig));
    // A Rust signature that bittensor-wallet verified (see the fixture README:
    // `SUBNET_KEYS_WRITE_RUST_SIGNATURE=1` writes it, verify_rust_signature.py checks it).
    let rust_sig_path = fixture_dir().join("rust_signature.json");
    if std::env::var_os("SUBNET_KEYS_WRITE_RUST_SIGNATURE").is_some() {
        let message = b"signed by subnet-core's keys module";
        let json = serde_json::json!({
            "ss58": kp.ss58_address(),
            "message_hex": format!("0x{}", hex::encode(message)),
            "signature_hex": format!("0x{}", hex::encode(kp.sign(message))),
            "verified_by_bittensor_wallet": false,
        });
        fs::write(&rust_sig_path, format!("{json:#}\n")).unwrap();
    }
    let rs: Value = serde_json::from_slice(&fs::read(&rust_sig_path).unwrap()).unwrap();
    assert_eq!(s(&rs, &["ss58"]), kp.ss58_address());
    let message = unhex(s(&rs, &["message_hex"]));
    let signature = unhex(s(&rs, &["signature_hex"]));
    assert!(verify(python_public.as_bytes(), &message, &signature));
    if std::env::var_os("SUBNET_KEYS_WRITE_RUST_SIGNATURE").is_none() {
        assert_eq!(rs["verified_by_bittensor_wallet"], true, "run verify_rust_signature.py");
    }
}

#[test]
fn debug_output_redacts_secrets() {
    let exp = expected();
    let phrase = s(&exp, &["hotkey", "mnemonic"]);
    let kp = Keypair::from_mnemonic(phrase, None).unwrap();
    let debug = format!("{kp:?}");
    assert!(debug.contains(&kp.ss58_address()));
    assert!(!debug.contains("abandon"), "{debug}");
    let secret_hex = hex::encode(&kp.expose_secret_key_bytes()[..]);
    assert!(!debug.contains(&secret_hex[..16]));
    let seed_hex = hex::encode(kp.expose_seed().unwrap());
    assert!(!debug.contains(&seed_hex[..16]));
}

// ---------------------------------------------------------------- bittensor-wallet fixture

#[test]
fn reads_bittensor_wallet_hotkeys_and_coldkeypub() {
    let exp = expected();
    let hot = fixture_wallet("default").hotkey_keypair().unwrap();
    assert_eq!(hot.ss58_address(), s(&exp, &["hotkey", "ss58"]));
    assert_eq!(hot.expose_mnemonic(), Some(s(&exp, &["hotkey", "mnemonic"])));
    // secretSeed is the 32-byte mini secret key.
    let file: Value = serde_json::from_slice(&fs::read(fixture_wallet("default").hotkey_path()).unwrap()).unwrap();
    assert_eq!(format!("0x{}", hex::encode(hot.expose_seed().unwrap())), file["secretSeed"].as_str().unwrap());
    assert_eq!(fixture_wallet("default").hotkey_public().unwrap().ss58(), s(&exp, &["hotkey", "ss58"]));

    // privateKey only: canonical schnorrkel bytes.
    let privonly = fixture_wallet("privonly").hotkey_keypair().unwrap();
    assert_eq!(privonly.public_key(), hot.public_key());
    assert!(privonly.expose_mnemonic().is_none());
    let sig = privonly.sign(b"x");
    assert!(verify(hot.public_key().as_bytes(), b"x", &sig));

    // secretSeed as hex.
    let seeded2 = fixture_wallet("fromseed2").hotkey_keypair().unwrap();
    assert_eq!(seeded2.ss58_address(), s(&exp, &["fromseed2", "ss58"]));

    // secretSeed written as raw bytes by bittensor-wallet's UTF-8 quirk: we read it.
    assert!(!exp["fromseed"]["readable_by_bittensor_wallet"].as_bool().unwrap());
    let seeded = fixture_wallet("fromseed").hotkey_keypair().unwrap();
    assert_eq!(seeded.ss58_address(), s(&exp, &["fromseed", "ss58"]));

    let cold = fixture_wallet("default").coldkeypub().unwrap();
    assert_eq!(cold.ss58(), s(&exp, &["coldkey", "ss58"]));
    assert_eq!(cold.to_hex(), s(&exp, &["coldkey", "public_key"]));
}

#[test]
fn coldkey_without_password_is_a_typed_error() {
    let err = fixture_wallet("default").coldkey_keypair(None).unwrap_err();
    assert!(matches!(err, WalletError::Encrypted { .. }), "{err}");
}

#[test]
fn ed25519_form_private_key_is_accepted() {
    // py-sr25519-bindings / polkadot-js write the secret in the ed25519 expanded form.
    let dir = tempfile::tempdir().unwrap();
    let kp = Keypair::from_uri("//Alice").unwrap();
    let secret = schnorrkel_ed25519_form(&kp);
    let path = dir.path().join("key");
    let json = serde_json::json!({
        "privateKey": format!("0x{}", hex::encode(secret)),
        "publicKey": kp.public_key().to_hex(),
        "ss58Address": kp.ss58_address(),
    });
    fs::write(&path, json.to_string()).unwrap();
    let read = keys::read_keypair(&path, None).unwrap();
    assert_eq!(read.public_key(), kp.public_key());
}

/// The ed25519-form bytes of a key, computed independently of the library: the
/// canonical scalar times the cofactor 8 (a left shift by 3 over 256 bits, as
/// schnorrkel's `to_ed25519_bytes` does), nonce unchanged.
fn schnorrkel_ed25519_form(kp: &Keypair) -> [u8; 64] {
    let canonical = kp.expose_secret_key_bytes();
    let mut out = [0u8; 64];
    let mut carry = 0u8;
    for i in 0..32 {
        let b = canonical[i];
        out[i] = (b << 3) | carry;
        carry = b >> 5;
    }
    out[32..].copy_from_slice(&canonical[32..]);
    out
}

// ---------------------------------------------------------------- wallets we write

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn created_wallet_is_private_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(dir.path().join("wallets"), "w1", "h1").unwrap();
    let hot = wallet.create_new_hotkey(12, false).unwrap();
    assert_eq!(hot.expose_mnemonic().unwrap().split(' ').count(), 12);
    let cold = Keypair::from_uri("//Bob").unwrap();
    wallet.set_coldkey(&cold, None, false).unwrap();

    let read = wallet.hotkey_keypair().unwrap();
    assert_eq!(read.public_key(), hot.public_key());
    assert_eq!(read.expose_mnemonic(), hot.expose_mnemonic());
    assert_eq!(wallet.coldkeypub().unwrap(), cold.public_key());
    assert_eq!(wallet.coldkey_keypair(None).unwrap().public_key(), cold.public_key());

    #[cfg(unix)]
    {
        for f in [wallet.hotkey_path(), wallet.coldkey_path(), wallet.coldkeypub_path()] {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        assert_eq!(mode(&wallet.dir()), 0o700);
        assert_eq!(mode(&wallet.dir().join("hotkeys")), 0o700);
    }
    // No temporary files left behind.
    let names: Vec<_> = fs::read_dir(wallet.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    // The file has bittensor-wallet's fields.
    let file: Value = serde_json::from_slice(&fs::read(wallet.hotkey_path()).unwrap()).unwrap();
    for field in ["accountId", "publicKey", "privateKey", "secretPhrase", "secretSeed", "ss58Address", "cryptoType"] {
        assert!(file.get(field).is_some(), "missing {field}");
    }
    assert_eq!(file["cryptoType"], 1);

    // No silent overwrite.
    assert!(matches!(wallet.create_new_hotkey(12, false), Err(WalletError::AlreadyExists { .. })));
    assert!(matches!(wallet.set_coldkey(&cold, None, false), Err(WalletError::AlreadyExists { .. })));
    let replaced = wallet.create_new_hotkey(24, true).unwrap();
    assert_eq!(wallet.hotkey_keypair().unwrap().public_key(), replaced.public_key());
}

#[test]
fn wallet_names_are_single_path_components() {
    for bad in ["", ".", "..", "a/b", "../x"] {
        assert!(matches!(Wallet::new("/tmp", bad, "default"), Err(WalletError::InvalidName { what: "wallet", .. })));
        assert!(matches!(Wallet::new("/tmp", "w", bad), Err(WalletError::InvalidName { what: "hotkey", .. })));
    }
}

// ---------------------------------------------------------------- malformed keyfiles

fn read_str(content: &[u8]) -> Result<Keypair, WalletError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    fs::write(&path, content).unwrap();
    keys::read_keypair(&path, None)
}

#[test]
fn malformed_keyfiles_give_typed_errors() {
    let alice = Keypair::from_uri("//Alice").unwrap();
    let alice_priv = format!("0x{}", hex::encode(&alice.expose_secret_key_bytes()[..]));

    assert!(matches!(read_str(b"{not json"), Err(WalletError::Json { .. })));
    assert!(matches!(read_str(b""), Err(WalletError::Json { .. })));
    assert!(matches!(read_str(&[0xff, 0xfe, 0x00]), Err(WalletError::Json { .. })));
    assert!(matches!(read_str(b"[1,2,3]"), Err(WalletError::Malformed { .. })));
    assert!(matches!(read_str(b"{}"), Err(WalletError::NoSecret { .. })));
    assert!(matches!(read_str(br#"{"secretPhrase": 12}"#), Err(WalletError::Malformed { .. })));
    assert!(matches!(read_str(br#"{"privateKey": "0xzz"}"#), Err(WalletError::Key { source: KeyError::InvalidHex { .. }, .. })));
    assert!(matches!(
        read_str(br#"{"privateKey": "0x1234"}"#),
        Err(WalletError::Key { source: KeyError::InvalidLength { expected: 64, got: 2, .. }, .. })
    ));
    assert!(matches!(read_str(br#"{"secretSeed": "0x12345"}"#), Err(WalletError::Key { source: KeyError::InvalidHex { .. }, .. })));
    assert!(matches!(read_str(br#"{"secretSeed": "0x1234"}"#), Err(WalletError::Key { source: KeyError::InvalidLength { expected: 32, .. }, .. })));
    assert!(matches!(read_str(br#"{"secretPhrase": "not a mnemonic at all"}"#), Err(WalletError::Key { source: KeyError::InvalidMnemonic(_), .. })));
    assert!(matches!(
        read_str(format!(r#"{{"privateKey": "{alice_priv}", "publicKey": "0x12"}}"#).as_bytes()),
        Err(WalletError::Key { source: KeyError::InvalidLength { expected: 32, .. }, .. })
    ));
    assert!(matches!(
        read_str(format!(r#"{{"privateKey": "{alice_priv}", "ss58Address": "5Grwva"}}"#).as_bytes()),
        Err(WalletError::Key { source: KeyError::InvalidSs58(_), .. })
    ));
    // A secret that does not match the public key in the file.
    let bob = Keypair::from_uri("//Bob").unwrap();
    assert!(matches!(
        read_str(format!(r#"{{"privateKey": "{alice_priv}", "publicKey": "{}"}}"#, bob.public_key().to_hex()).as_bytes()),
        Err(WalletError::PublicKeyMismatch { .. })
    ));
    // ed25519 keyfiles are refused, not misread.
    assert!(matches!(
        read_str(format!(r#"{{"privateKey": "{alice_priv}", "cryptoType": 0}}"#).as_bytes()),
        Err(WalletError::UnsupportedCryptoType { crypto_type: 0, .. })
    ));
    // Encrypted formats we do not read.
    assert!(matches!(read_str(b"$ANSIBLE_VAULT;1.1;AES256\n3331"), Err(WalletError::UnsupportedEncryption { .. })));
    assert!(matches!(read_str(b"gAAAAABfoo"), Err(WalletError::UnsupportedEncryption { .. })));
    // Truncated NaCl file with a password: typed, no panic, no KDF run needed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    fs::write(&path, b"$NACLshort").unwrap();
    assert!(matches!(keys::read_keypair(&path, Some("pw")), Err(WalletError::Malformed { .. })));
    // Missing file.
    assert!(matches!(keys::read_keypair(&dir.path().join("absent"), None), Err(WalletError::Io { .. })));
    // Errors do not echo secret material.
    let err = read_str(format!(r#"{{"privateKey": "{}zz"}}"#, &alice_priv[..64]).as_bytes()).unwrap_err().to_string();
    assert!(!err.contains(&alice_priv[2..20]), "{err}");
}

#[test]
fn coldkeypub_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(dir.path(), "w", "h").unwrap();
    assert!(matches!(wallet.coldkeypub(), Err(WalletError::Io { .. })));
    fs::create_dir_all(wallet.dir()).unwrap();
    fs::write(wallet.coldkeypub_path(), b"{}").unwrap();
    assert!(matches!(wallet.coldkeypub(), Err(WalletError::Malformed { .. })));
    fs::write(wallet.coldkeypub_path(), br#"{"ss58Address": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"}"#).unwrap();
    assert!(matches!(wallet.coldkeypub(), Err(WalletError::Key { source: KeyError::InvalidSs58(_), .. })));
    // Only ss58Address, as very old bittensor wrote it.
    fs::write(wallet.coldkeypub_path(), br#"{"ss58Address": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"}"#).unwrap();
    assert_eq!(wallet.coldkeypub().unwrap(), Keypair::from_uri("//Alice").unwrap().public_key());
}

// ---------------------------------------------------------------- encrypted coldkey (slow: Argon2i, 512 MiB)

#[test]
fn encrypted_coldkey_reads_and_writes_in_bittensor_wallet_format() {
    let exp = expected();
    let password = s(&exp, &["coldkey", "password"]);
    let wallet = fixture_wallet("default");

    // Wrong password: typed error.
    assert!(matches!(wallet.coldkey_keypair(Some("wrong password")), Err(WalletError::Decryption { .. })));
    // bittensor-wallet's coldkey decrypts with the right one.
    let cold = wallet.coldkey_keypair(Some(password)).unwrap();
    assert_eq!(cold.ss58_address(), s(&exp, &["coldkey", "ss58"]));
    assert_eq!(cold.expose_mnemonic(), Some(s(&exp, &["coldkey", "mnemonic"])));

    // We write one; it starts with $NACL and reads back.
    let dir = tempfile::tempdir().unwrap();
    let ours = Wallet::new(dir.path(), "enc", "default").unwrap();
    ours.set_coldkey(&cold, Some("another password"), false).unwrap();
    let raw = fs::read(ours.coldkey_path()).unwrap();
    assert!(raw.starts_with(b"$NACL"));
    assert!(!String::from_utf8_lossy(&raw).contains("legal"));
    assert!(matches!(ours.coldkey_keypair(None), Err(WalletError::Encrypted { .. })));
    let back = ours.coldkey_keypair(Some("another password")).unwrap();
    assert_eq!(back.public_key(), cold.public_key());
    assert_eq!(ours.coldkeypub().unwrap(), cold.public_key());
}

/// With `SUBNET_KEYS_EXPORT_WALLET=<dir>`, writes a wallet "rust" (hotkey "default")
/// with the fixture's keys for `verify_rust_signature.py <dir>` to read with
/// bittensor-wallet. Does nothing otherwise.
#[test]
fn export_wallet_for_bittensor_wallet_check() {
    let Some(dir) = std::env::var_os("SUBNET_KEYS_EXPORT_WALLET") else {
        return;
    };
    let exp = expected();
    let wallet = Wallet::new(PathBuf::from(dir), "rust", "default").unwrap();
    let hot = Keypair::from_mnemonic(s(&exp, &["hotkey", "mnemonic"]), None).unwrap();
    let cold = Keypair::from_mnemonic(s(&exp, &["coldkey", "mnemonic"]), None).unwrap();
    wallet.set_hotkey(&hot, true).unwrap();
    wallet.set_coldkey(&cold, Some(s(&exp, &["coldkey", "password"])), true).unwrap();
}

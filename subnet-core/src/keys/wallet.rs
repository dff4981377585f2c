//! Bittensor's on-disk wallet layout:
//!
//! ```text
//! <path>/<name>/coldkey              encrypted ($NACL) or plain keyfile
//! <path>/<name>/coldkeypub.txt       public keyfile
//! <path>/<name>/hotkeys/<hotkey>     keyfile, usually unencrypted
//! ```
//!
//! `<path>` defaults to `~/.bittensor/wallets`. Files written here have mode 0600 and
//! directories created here mode 0700 (on Unix). Files are written to a temporary
//! file in the same directory and renamed into place.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::keyfile::{self, Encryption};
use super::{Keypair, PublicKey, WalletError};

/// A Bittensor wallet: a coldkey and named hotkeys under `path/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    /// The directory holding wallets (`~/.bittensor/wallets` by default).
    pub path: PathBuf,
    /// The wallet's name (a directory under `path`).
    pub name: String,
    /// The hotkey in use (a file under `path/name/hotkeys`).
    pub hotkey: String,
}

/// `~/.bittensor/wallets`.
pub fn default_wallets_path() -> Result<PathBuf, WalletError> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).ok_or(WalletError::NoHome)?;
    Ok(PathBuf::from(home).join(".bittensor").join("wallets"))
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WalletError + '_ {
    move |source| WalletError::Io { path: path.to_owned(), source }
}

fn check_name(what: &'static str, name: &str) -> Result<(), WalletError> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return Err(WalletError::InvalidName { what, name: name.to_owned() });
    }
    Ok(())
}

impl Wallet {
    /// A wallet `name` with hotkey `hotkey` under `path`. Nothing is read or created.
    pub fn new(path: impl Into<PathBuf>, name: impl Into<String>, hotkey: impl Into<String>) -> Result<Self, WalletError> {
        let wallet = Wallet { path: path.into(), name: name.into(), hotkey: hotkey.into() };
        check_name("wallet", &wallet.name)?;
        check_name("hotkey", &wallet.hotkey)?;
        Ok(wallet)
    }

    /// A wallet under the default path `~/.bittensor/wallets`.
    pub fn in_default_path(name: impl Into<String>, hotkey: impl Into<String>) -> Result<Self, WalletError> {
        Self::new(default_wallets_path()?, name, hotkey)
    }

    /// `path/name`.
    pub fn dir(&self) -> PathBuf {
        self.path.join(&self.name)
    }

    /// `path/name/hotkeys/hotkey`.
    pub fn hotkey_path(&self) -> PathBuf {
        self.dir().join("hotkeys").join(&self.hotkey)
    }

    /// `path/name/coldkey`.
    pub fn coldkey_path(&self) -> PathBuf {
        self.dir().join("coldkey")
    }

    /// `path/name/coldkeypub.txt`.
    pub fn coldkeypub_path(&self) -> PathBuf {
        self.dir().join("coldkeypub.txt")
    }

    /// The hotkey pair (unencrypted hotkey file; see [`Wallet::hotkey_keypair_with_password`]).
    pub fn hotkey_keypair(&self) -> Result<Keypair, WalletError> {
        read_keypair(&self.hotkey_path(), None)
    }

    /// The hotkey pair, decrypting the file with `password` if it is encrypted.
    pub fn hotkey_keypair_with_password(&self, password: &str) -> Result<Keypair, WalletError> {
        read_keypair(&self.hotkey_path(), Some(password))
    }

    /// The hotkey's public key (reads only the public fields of the hotkey file;
    /// an encrypted hotkey file needs its password).
    pub fn hotkey_public(&self) -> Result<PublicKey, WalletError> {
        let path = self.hotkey_path();
        let data = fs::read(&path).map_err(io_err(&path))?;
        if encryption_of_checked(&data, &path)? != Encryption::None {
            return Err(WalletError::Encrypted { path });
        }
        keyfile::public_key_from_json(&data, &path)
    }

    /// The coldkey's public key, from `coldkeypub.txt`.
    pub fn coldkeypub(&self) -> Result<PublicKey, WalletError> {
        let path = self.coldkeypub_path();
        let data = fs::read(&path).map_err(io_err(&path))?;
        if encryption_of_checked(&data, &path)? != Encryption::None {
            return Err(WalletError::Encrypted { path });
        }
        keyfile::public_key_from_json(&data, &path)
    }

    /// The coldkey pair, decrypting with `password` (ignored if the file is plain).
    /// Decryption of the `$NACL` format costs about a second and 512 MiB (Argon2i).
    pub fn coldkey_keypair(&self, password: Option<&str>) -> Result<Keypair, WalletError> {
        read_keypair(&self.coldkey_path(), password)
    }

    /// Writes `keypair` as this wallet's hotkey, unencrypted (as bittensor-wallet does
    /// by default).
    pub fn set_hotkey(&self, keypair: &Keypair, overwrite: bool) -> Result<(), WalletError> {
        let data = keyfile::keypair_to_json(keypair);
        write_keyfile(&self.hotkey_path(), &data, overwrite)
    }

    /// Writes `keypair` as this wallet's coldkey, encrypted with `password` in
    /// bittensor-wallet's `$NACL` format (plain if `password` is `None`), and its public
    /// part as `coldkeypub.txt`.
    pub fn set_coldkey(&self, keypair: &Keypair, password: Option<&str>, overwrite: bool) -> Result<(), WalletError> {
        let path = self.coldkey_path();
        if !overwrite {
            // Check both files before writing either.
            for p in [&path, &self.coldkeypub_path()] {
                if p.exists() {
                    return Err(WalletError::AlreadyExists { path: p.clone() });
                }
            }
        }
        let plain = keyfile::keypair_to_json(keypair);
        match password {
            Some(pw) => write_keyfile(&path, &keyfile::encrypt_nacl(&plain, pw)?, overwrite)?,
            None => write_keyfile(&path, &plain, overwrite)?,
        }
        self.set_coldkeypub(&keypair.public_key(), overwrite)
    }

    /// Writes `coldkeypub.txt`.
    pub fn set_coldkeypub(&self, public: &PublicKey, overwrite: bool) -> Result<(), WalletError> {
        write_keyfile(&self.coldkeypub_path(), &keyfile::public_key_to_json(public), overwrite)
    }

    /// Creates a new hotkey from a fresh `words`-word mnemonic and writes it. The
    /// returned pair holds the mnemonic ([`Keypair::expose_mnemonic`]) for backup.
    pub fn create_new_hotkey(&self, words: usize, overwrite: bool) -> Result<Keypair, WalletError> {
        let keypair = Keypair::generate(words)?;
        self.set_hotkey(&keypair, overwrite)?;
        Ok(keypair)
    }

    /// Creates a new coldkey from a fresh `words`-word mnemonic, writes it (encrypted
    /// with `password` if given) and `coldkeypub.txt`.
    pub fn create_new_coldkey(&self, words: usize, password: Option<&str>, overwrite: bool) -> Result<Keypair, WalletError> {
        let keypair = Keypair::generate(words)?;
        self.set_coldkey(&keypair, password, overwrite)?;
        Ok(keypair)
    }

    /// Regenerates the hotkey from a mnemonic and writes it.
    pub fn regenerate_hotkey(&self, mnemonic: &str, overwrite: bool) -> Result<Keypair, WalletError> {
        let keypair = Keypair::from_mnemonic(mnemonic, None)?;
        self.set_hotkey(&keypair, overwrite)?;
        Ok(keypair)
    }
}

fn encryption_of_checked(data: &[u8], path: &Path) -> Result<Encryption, WalletError> {
    match keyfile::encryption_of(data) {
        Encryption::AnsibleVault => Err(WalletError::UnsupportedEncryption { path: path.to_owned(), scheme: "Ansible Vault" }),
        Encryption::Legacy => Err(WalletError::UnsupportedEncryption { path: path.to_owned(), scheme: "legacy (Fernet)" }),
        other => Ok(other),
    }
}

/// Reads a key pair from a keyfile, decrypting it with `password` if it is `$NACL`.
pub fn read_keypair(path: &Path, password: Option<&str>) -> Result<Keypair, WalletError> {
    let data = zeroize::Zeroizing::new(fs::read(path).map_err(io_err(path))?);
    match encryption_of_checked(&data, path)? {
        Encryption::None => keyfile::keypair_from_json(&data, path),
        _ => {
            let password = password.ok_or_else(|| WalletError::Encrypted { path: path.to_owned() })?;
            let plain = keyfile::decrypt_nacl(&data, password, path)?;
            keyfile::keypair_from_json(&plain, path)
        }
    }
}

fn create_dir_private(dir: &Path) -> Result<(), WalletError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))
}

/// Writes a keyfile with mode 0600 via a temporary file and a rename.
fn write_keyfile(path: &Path, data: &[u8], overwrite: bool) -> Result<(), WalletError> {
    let dir = path.parent().ok_or_else(|| WalletError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "no parent directory"),
    })?;
    create_dir_private(dir)?;
    if !overwrite && path.exists() {
        return Err(WalletError::AlreadyExists { path: path.to_owned() });
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp).map_err(io_err(&tmp))?;
        file.write_all(data).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
        if !overwrite && path.exists() {
            return Err(WalletError::AlreadyExists { path: path.to_owned() });
        }
        fs::rename(&tmp, path).map_err(io_err(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

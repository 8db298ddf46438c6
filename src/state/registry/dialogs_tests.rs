//! Tests of the registry pane's dialogs.
use super::*;
use crossterm::event::KeyModifiers;

use crossterm::event::KeyCode;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

trait Press {
    fn press(&mut self, k: &KeyEvent) -> RegistryOutcome;
}

impl Press for RegistryDialog {
    fn press(&mut self, k: &KeyEvent) -> RegistryOutcome {
        self.on_key(&Keymap::defaults(), k)
    }
}

fn type_text(d: &mut RegistryDialog, s: &str) {
    for c in s.chars() {
        d.press(&key(KeyCode::Char(c)));
    }
}

#[test]
fn pull_validates_reference_and_platform_before_sending() {
    let mut d = RegistryDialog::pull("");
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    type_text(&mut d, "Bad/Name");
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    let RegistryDialog::Pull { error, .. } = &d else {
        unreachable!()
    };
    assert!(
        error.as_deref().unwrap_or("").contains("lowercase"),
        "{error:?}"
    );
    let mut d = RegistryDialog::pull("127.0.0.1:5000/team/app:1");
    d.press(&key(KeyCode::Tab));
    type_text(&mut d, "linux/");
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    type_text(&mut d, "arm64");
    assert_eq!(
        d.press(&key(KeyCode::Enter)),
        RegistryOutcome::Submit(Submitted::Send(vec![Command::Pull {
            reference: "127.0.0.1:5000/team/app:1".into(),
            platform: Some("linux/arm64".into())
        }]))
    );
    let digest = format!("busybox@sha256:{}", "a".repeat(64));
    assert_eq!(validate_pull(&digest, ""), None);
}

#[test]
fn push_asks_first() {
    let mut d = RegistryDialog::Push {
        reference: "127.0.0.1:5000/a:1".into(),
        registry: "127.0.0.1:5000".into(),
    };
    assert_eq!(d.press(&key(KeyCode::Char('x'))), RegistryOutcome::Stay);
    assert_eq!(d.press(&key(KeyCode::Char('n'))), RegistryOutcome::Close);
    assert_eq!(
        d.press(&key(KeyCode::Char('y'))),
        RegistryOutcome::Submit(Submitted::Send(vec![Command::Push {
            reference: "127.0.0.1:5000/a:1".into()
        }]))
    );
}

#[test]
fn login_masks_the_password_and_waits_for_the_registry() {
    let mut d = RegistryDialog::login("127.0.0.1:5000", false);
    type_text(&mut d, "alice");
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    d.press(&key(KeyCode::Tab));
    type_text(&mut d, "s3cret-pw");
    assert!(
        !format!("{d:?}").contains("s3cret-pw"),
        "Debug leaks the password"
    );
    let out = d.press(&key(KeyCode::Enter));
    let RegistryOutcome::Send(effects) = out else {
        panic!("{out:?}")
    };
    let cmds = crate::state::effect::commands(&effects);
    match &cmds[..] {
        [
            Command::Registry(RegistryRequest::Login {
                server,
                username,
                password,
                insecure,
            }),
        ] => {
            assert_eq!(
                (server.as_str(), username.as_str()),
                ("127.0.0.1:5000", "alice")
            );
            assert_eq!(password.expose(), "s3cret-pw");
            assert!(!insecure);
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{cmds:?}").contains("s3cret-pw"));
    // While verifying, keys do nothing.
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    assert!(!d.on_login(&Err("unauthorized at registry 127.0.0.1:5000".into())));
    let RegistryDialog::Login { error, pending, .. } = &d else {
        unreachable!()
    };
    assert!(!pending && error.is_some());
    assert!(matches!(
        d.press(&key(KeyCode::Enter)),
        RegistryOutcome::Send(_)
    ));
    assert!(d.on_login(&Ok("logged in".into())));
}

#[test]
fn adding_a_registry_checks_the_address() {
    let mut d = RegistryDialog::AddRegistry {
        url: TextInput::default(),
        insecure: false,
        field: 0,
        error: None,
    };
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    type_text(&mut d, "ftp://x");
    assert_eq!(d.press(&key(KeyCode::Enter)), RegistryOutcome::Stay);
    for _ in 0..7 {
        d.press(&key(KeyCode::Backspace));
    }
    type_text(&mut d, "lab.internal:5000");
    d.press(&key(KeyCode::Tab));
    d.press(&key(KeyCode::Char(' ')));
    assert_eq!(
        d.press(&key(KeyCode::Enter)),
        RegistryOutcome::Submit(Submitted::Add(RegistryEntry {
            name: "lab.internal:5000".into(),
            url: "lab.internal:5000".into(),
            insecure: true
        }))
    );
}

//! The settings Gogs' `app.ini` has: hearth accepts them silently, whether it reads them or not,
//! so that a Gogs configuration moved over warns only about what neither knows. The list is the
//! union of the keys in the `conf/app.ini` Gogs shipped from 0.11 to 0.14 and on its main branch
//! (0.11's names too: `[mailer]`, `[service]`, `[database] DB_TYPE`, …); `*` stands for any key
//! (sections whose keys are names of the user's choosing). Sections are lower-case, keys
//! upper-case, `""` is the top level.

const SETTINGS: &[(&str, &[&str])] = &[
    ("", &["APP_NAME", "BRAND_NAME", "RUN_MODE", "RUN_USER"]),
    ("admin", &["DISABLE_REGULAR_ORG_CREATION"]),
    ("api", &["MAX_RESPONSE_ITEMS"]),
    ("attachment", &["ALLOWED_TYPES", "ENABLED", "MAX_FILES", "MAX_SIZE", "PATH"]),
    (
        "auth",
        &[
            "ACTIVATE_CODE_LIVES",
            "DISABLE_REGISTRATION",
            "ENABLE_REGISTRATION_CAPTCHA",
            "ENABLE_REVERSE_PROXY_AUTHENTICATION",
            "ENABLE_REVERSE_PROXY_AUTO_REGISTRATION",
            "REQUIRE_EMAIL_CONFIRMATION",
            "REQUIRE_SIGNIN_VIEW",
            "RESET_PASSWORD_CODE_LIVES",
            "REVERSE_PROXY_AUTHENTICATION_HEADER",
            "TRUSTED_PROXY_IPS",
        ],
    ),
    ("cache", &["ADAPTER", "HOST", "INTERVAL"]),
    ("cron", &["ENABLED", "RUN_AT_START"]),
    ("cron.check_repo_stats", &["RUN_AT_START", "SCHEDULE"]),
    ("cron.repo_archive_cleanup", &["OLDER_THAN", "RUN_AT_START", "SCHEDULE"]),
    ("cron.repo_health_check", &["ARGS", "SCHEDULE", "TIMEOUT"]),
    ("cron.update_mirrors", &["SCHEDULE"]),
    (
        "database",
        &[
            "DB_TYPE",
            "HOST",
            "MAX_IDLE_CONNS",
            "MAX_OPEN_CONNS",
            "NAME",
            "PASSWD",
            "PASSWORD",
            "PATH",
            "SCHEMA",
            "SSL_MODE",
            "TYPE",
            "USER",
        ],
    ),
    (
        "email",
        &[
            "ADD_PLAIN_TEXT_ALT",
            "CERT_FILE",
            "DISABLE_HELO",
            "ENABLED",
            "FROM",
            "HELO_HOSTNAME",
            "HOST",
            "KEY_FILE",
            "PASSWORD",
            "SKIP_VERIFY",
            "SUBJECT_PREFIX",
            "USER",
            "USE_CERTIFICATE",
            "USE_PLAIN_TEXT",
        ],
    ),
    (
        "git",
        &[
            "DISABLE_DIFF_HIGHLIGHT",
            "GC_ARGS",
            "MAX_GIT_DIFF_FILES",
            "MAX_GIT_DIFF_LINES",
            "MAX_GIT_DIFF_LINE_CHARACTERS",
        ],
    ),
    ("git.timeout", &["CLONE", "DIFF", "GC", "MIGRATE", "MIRROR", "PULL"]),
    ("highlight.mapping", &["*"]),
    ("http", &["ACCESS_CONTROL_ALLOW_ORIGIN"]),
    ("i18n", &["LANGS", "NAMES"]),
    ("i18n.datelang", &["*"]),
    ("lfs", &["OBJECTS_PATH", "OBJECTS_TEMP_PATH", "STORAGE"]),
    ("log", &["BUFFER_LEN", "LEVEL", "MODE", "ROOT_PATH"]),
    ("log.console", &[]),
    ("log.discord", &["URL", "USERNAME"]),
    ("log.file", &["DAILY_ROTATE", "LOG_ROTATE", "MAX_DAYS", "MAX_LINES", "MAX_SIZE_SHIFT"]),
    ("log.gorm", &["MAX_DAYS", "MAX_SIZE", "ROTATE", "ROTATE_DAILY"]),
    ("log.slack", &["URL"]),
    ("log.xorm", &["MAX_DAYS", "MAX_SIZE", "ROTATE", "ROTATE_DAILY"]),
    (
        "mailer",
        &[
            "ADD_PLAIN_TEXT_ALT",
            "CERT_FILE",
            "DISABLE_HELO",
            "ENABLED",
            "FROM",
            "HELO_HOSTNAME",
            "HOST",
            "KEY_FILE",
            "PASSWD",
            "SEND_BUFFER_LEN",
            "SKIP_VERIFY",
            "SUBJECT_PREFIX",
            "USER",
            "USE_CERTIFICATE",
            "USE_PLAIN_TEXT",
        ],
    ),
    ("markdown", &["CUSTOM_URL_SCHEMES", "ENABLE_HARD_LINE_BREAK", "FILE_EXTENSIONS"]),
    ("mirror", &["DEFAULT_INTERVAL"]),
    ("other", &["SHOW_FOOTER_BRANDING", "SHOW_FOOTER_TEMPLATE_LOAD_TIME", "SHOW_FOOTER_VERSION"]),
    (
        "picture",
        &[
            "AVATAR_UPLOAD_PATH",
            "DISABLE_GRAVATAR",
            "ENABLE_FEDERATED_AVATAR",
            "GRAVATAR_SOURCE",
            "REPOSITORY_AVATAR_UPLOAD_PATH",
        ],
    ),
    ("prometheus", &["BASIC_AUTH_PASSWORD", "BASIC_AUTH_USERNAME", "ENABLED", "ENABLE_BASIC_AUTH"]),
    ("release.attachment", &["ALLOWED_TYPES", "ENABLED", "MAX_FILES", "MAX_SIZE", "PATH"]),
    (
        "repository",
        &[
            "ANSI_CHARSET",
            "COMMITS_FETCH_CONCURRENCY",
            "DEFAULT_BRANCH",
            "DISABLE_HTTP_GIT",
            "ENABLE_LOCAL_PATH_MIGRATION",
            "ENABLE_RAW_FILE_RENDER_MODE",
            "FORCE_PRIVATE",
            "MAX_CREATION_LIMIT",
            "MIRROR_QUEUE_LENGTH",
            "PREFERRED_LICENSES",
            "PULL_REQUEST_QUEUE_LENGTH",
            "ROOT",
            "SCRIPT_TYPE",
        ],
    ),
    ("repository.editor", &["LINE_WRAP_EXTENSIONS", "PREVIEWABLE_FILE_MODES"]),
    ("repository.upload", &["ALLOWED_TYPES", "ENABLED", "FILE_MAX_SIZE", "MAX_FILES", "TEMP_PATH"]),
    (
        "security",
        &[
            "COOKIE_REMEMBER_NAME",
            "COOKIE_SECURE",
            "COOKIE_USERNAME",
            "ENABLE_LOGIN_STATUS_COOKIE",
            "INSTALL_LOCK",
            "LOCAL_NETWORK_ALLOWLIST",
            "LOGIN_REMEMBER_DAYS",
            "LOGIN_STATUS_COOKIE_NAME",
            "REVERSE_PROXY_AUTHENTICATION_USER",
            "SECRET_KEY",
        ],
    ),
    (
        "server",
        &[
            "APP_DATA_PATH",
            "CERT_FILE",
            "DISABLE_ROUTER_LOG",
            "DISABLE_SSH",
            "DOMAIN",
            "ENABLE_GZIP",
            "EXTERNAL_URL",
            "HTTP_ADDR",
            "HTTP_PORT",
            "KEY_FILE",
            "LANDING_PAGE",
            "LANDING_URL",
            "LOAD_ASSETS_FROM_DISK",
            "LOCAL_ROOT_URL",
            "MINIMUM_KEY_SIZE_CHECK",
            "OFFLINE_MODE",
            "PROTOCOL",
            "REWRITE_AUTHORIZED_KEYS_AT_START",
            "ROOT_URL",
            "SSH_DOMAIN",
            "SSH_KEYGEN_PATH",
            "SSH_KEY_TEST_PATH",
            "SSH_LISTEN_HOST",
            "SSH_LISTEN_PORT",
            "SSH_PORT",
            "SSH_ROOT_PATH",
            "SSH_SERVER_ALGORITHMS",
            "SSH_SERVER_CIPHERS",
            "SSH_SERVER_MACS",
            "START_SSH_SERVER",
            "STATIC_ROOT_PATH",
            "TLS_MIN_VERSION",
            "UNIX_SOCKET_PERMISSION",
        ],
    ),
    (
        "service",
        &[
            "ACTIVE_CODE_LIVE_MINUTES",
            "DISABLE_REGISTRATION",
            "ENABLE_CAPTCHA",
            "ENABLE_NOTIFY_MAIL",
            "ENABLE_REVERSE_PROXY_AUTHENTICATION",
            "ENABLE_REVERSE_PROXY_AUTO_REGISTRATION",
            "REGISTER_EMAIL_CONFIRM",
            "REQUIRE_SIGNIN_VIEW",
            "RESET_PASSWD_CODE_LIVE_MINUTES",
        ],
    ),
    (
        "session",
        &[
            "COOKIE_NAME",
            "COOKIE_SECURE",
            "CSRF_COOKIE_NAME",
            "ENABLE_SET_COOKIE",
            "GC_INTERVAL",
            "GC_INTERVAL_TIME",
            "MAX_LIFE_TIME",
            "PROVIDER",
            "PROVIDER_CONFIG",
            "SESSION_LIFE_TIME",
        ],
    ),
    ("smartypants", &["ANGLED_QUOTES", "DASHES", "ENABLED", "FRACTIONS", "LATEX_DASHES"]),
    ("ssh.minimum_key_sizes", &["DSA", "ECDSA", "ED25519", "RSA"]),
    ("time", &["FORMAT"]),
    (
        "ui",
        &[
            "EXPLORE_PAGING_NUM",
            "FEED_MAX_COMMIT_NUM",
            "ISSUE_PAGING_NUM",
            "MAX_DISPLAY_FILE_SIZE",
            "THEME_COLOR_META_TAG",
        ],
    ),
    ("ui.admin", &["NOTICE_PAGING_NUM", "ORG_PAGING_NUM", "REPO_PAGING_NUM", "USER_PAGING_NUM"]),
    ("ui.user", &["COMMITS_PAGING_NUM", "NEWS_FEED_PAGING_NUM", "REPO_PAGING_NUM"]),
    ("user", &["ENABLE_EMAIL_NOTIFICATION"]),
    ("webhook", &["DELIVER_TIMEOUT", "PAGING_NUM", "QUEUE_LENGTH", "SKIP_TLS_VERIFY", "TYPES"]),
];

/// Whether Gogs has the section.
pub fn knows_section(section: &str) -> bool {
    SETTINGS.iter().any(|(s, _)| *s == section)
}

/// Whether Gogs has `[section] KEY`.
pub fn knows(section: &str, key: &str) -> bool {
    SETTINGS.iter().any(|(s, keys)| *s == section && keys.iter().any(|k| *k == "*" || *k == key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gogs_names() {
        assert!(knows("", "RUN_MODE") && knows("", "APP_NAME") && knows("server", "OFFLINE_MODE"));
        assert!(knows("i18n.datelang", "xx-YY") && knows("database", "DB_TYPE"));
        assert!(!knows("server", "OFFLINE") && !knows("nonsense", "KEY") && !knows_section("nonsense"));
        assert!(knows_section("log.console") && knows_section("service"));
    }
}

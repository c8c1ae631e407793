/**
 * Provider token formats, written from the providers' documented prefixes and lengths (the
 * gitleaks / detect-secrets style: a distinctive prefix, a fixed alphabet, a bounded length).
 * Each rule names lower-case `keywords`; a rule's regex only runs when the lower-cased text
 * contains one of them, which keeps the per-action cost near one `includes` per keyword.
 */

/** One provider rule. */
export interface ProviderRule {
  /** Entity type emitted (upper snake case). */
  type: string;
  /** Lower-case substrings, at least one of which must occur in the text. */
  keywords: readonly string[];
  /** Global regex; bounded quantifiers only. Capture group 1, when present, is the secret. */
  pattern: RegExp;
  confidence: number;
  /**
   * Where `keywords` are looked up: in the long tokens (default; the keyword is part of the
   * secret or its identifier) or anywhere in the text (a provider name in prose).
   */
  keywordsAnywhere?: boolean;
  /** Extra check on the matched secret (e.g. JWT header decodes to JSON). */
  validate?: (secret: string) => boolean;
}

const B = '(?<![A-Za-z0-9_-])'; // left boundary
const E = '(?![A-Za-z0-9_-])'; // right boundary

function rule(
  type: string,
  keywords: readonly string[],
  source: string,
  confidence = 0.95,
  flags = 'g',
): ProviderRule {
  return { type, keywords, pattern: new RegExp(source, flags), confidence };
}

function anywhere(r: ProviderRule): ProviderRule {
  return { ...r, keywordsAnywhere: true };
}

/**
 * A JWT's header is a short, complete JSON object (`{"alg":…}`): it must decode to text that opens
 * with `{"` and closes with `}`. A header cut mid-object is a mangled sample, not a token. Only the
 * header is checked; a payload with a corrupted tail still leaks the claims.
 */
function jwtHeaderValid(token: string): boolean {
  const header = Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('latin1');
  return header.startsWith('{"') && header.trimEnd().endsWith('}');
}

/** All provider rules. Order does not matter: overlaps are resolved by confidence and length. */
export const PROVIDER_RULES: readonly ProviderRule[] = [
  rule(
    'AWS_ACCESS_KEY',
    ['akia', 'asia', 'abia', 'acca', 'a3t'],
    `(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])`,
  ),
  anywhere(
    rule(
      'AWS_SECRET_KEY',
      ['aws'],
      `aws[\\w.-]{0,30}?(?:secret|private)[\\w.-]{0,20}["']?\\s{0,3}[:=]{1,2}>?\\s{0,3}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
      0.9,
      'gi',
    ),
  ),
  rule(
    'AWS_BEDROCK_KEY',
    ['absk', 'bedrock-api-key-'],
    `${B}(?:ABSK[A-Za-z0-9+/]{100,300}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{100,2000}={0,2})`,
  ),
  rule(
    'GITHUB_TOKEN',
    ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    `${B}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})${E}`,
  ),
  rule(
    'GITLAB_TOKEN',
    [
      'glpat-',
      'glptt-',
      'glrt-',
      'gldt-',
      'glft-',
      'glimt-',
      'glagent-',
      'glsoat-',
      'glcbt-',
      'glffct-',
      'gloas-',
      'gr1348941',
    ],
    // Lengths per prefix as the GitLab detectors document them (incoming-mail 25, OAuth
    // secrets 64, agent tokens 50 and more, the rest 20–50): a token of another length is not one.
    `${B}(?:gl(?:pat|rt|dt|ft|soat|cbt|ffct)-[A-Za-z0-9_-]{20,50}|glimt-[A-Za-z0-9_-]{25}|glagent-[A-Za-z0-9_-]{50,64}|gloas-[A-Za-z0-9_-]{64}|glptt-[0-9a-f]{40}|GR1348941[A-Za-z0-9_-]{20,50})${E}`,
  ),
  rule(
    'SLACK_TOKEN',
    ['xox', 'xapp-'],
    `${B}(?:xox[bpe]-\\d{3,14}-(?:\\d{3,14}-){0,2}[A-Za-z0-9-]{10,64}|xox[ar]-(?:\\d-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]{8,64}){0,4}|xoxe\\.xox[bp]-\\d-[A-Z0-9]{100,200}|xoxe-\\d-[A-Z0-9]{100,200}|xapp-\\d-[A-Z0-9]{8,16}-\\d{8,16}-[a-z0-9]{32,80})${E}`,
  ),
  rule(
    'SLACK_WEBHOOK',
    ['hooks.slack.com'],
    `hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,120}`,
  ),
  rule(
    'STRIPE_KEY',
    ['sk_live', 'sk_test', 'rk_live', 'rk_test', 'whsec_'],
    `${B}(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,64})${E}`,
  ),
  rule('GOOGLE_API_KEY', ['aiza'], `${B}AIza[0-9A-Za-z_-]{35}${E}`),
  rule(
    'GOOGLE_OAUTH_SECRET',
    ['gocspx-', 'ya29.'],
    `${B}(?:GOCSPX-[A-Za-z0-9_-]{28}|ya29\\.[0-9A-Za-z_-]{30,2000})${E}`,
  ),
  rule(
    'ANTHROPIC_API_KEY',
    ['sk-ant-'],
    `${B}sk-ant-(?:api|admin|sid)\\d{2}-[A-Za-z0-9_-]{80,120}${E}`,
  ),
  rule(
    'OPENAI_API_KEY',
    ['sk-', 't3blbkfj'],
    `${B}sk-(?:(?:proj|svcacct|admin|None)-)?(?:[A-Za-z0-9_-]{20,80}T3BlbkFJ[A-Za-z0-9_-]{20,80}|[A-Za-z0-9_-]{100,200}|[A-Za-z0-9]{48})${E}`,
  ),
  rule('PERPLEXITY_API_KEY', ['pplx-'], `${B}pplx-[A-Za-z0-9]{48}${E}`),
  rule(
    'HUGGINGFACE_TOKEN',
    ['hf_', 'api_org_'],
    `${B}(?:hf_[A-Za-z]{34}|api_org_[A-Za-z]{34})${E}`,
  ),
  rule('GROQ_API_KEY', ['gsk_'], `${B}gsk_[A-Za-z0-9]{52}${E}`),
  rule('REPLICATE_TOKEN', ['r8_'], `${B}r8_[A-Za-z0-9]{37}${E}`),
  rule('TWILIO_KEY', ['sk', 'twilio'], `(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])`, 0.8),
  rule('SENDGRID_KEY', ['sg.'], `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${E}`),
  rule('MAILCHIMP_KEY', ['-us'], `(?<![A-Za-z0-9])[0-9a-f]{32}-us\\d{1,2}(?![A-Za-z0-9])`, 0.9),
  rule('NPM_TOKEN', ['npm_'], `${B}npm_[A-Za-z0-9]{36}${E}`),
  // PyPI tokens are macaroons: location, identifier (a UUID) and a 32-byte signature come to more
  // than 90 bytes, so at least 120 base64 characters; a shorter `pypi-AgE…` is a cut sample.
  rule('PYPI_TOKEN', ['pypi-'], `${B}pypi-AgE[A-Za-z0-9_-]{117,400}${E}`),
  rule(
    'ONEPASSWORD_TOKEN',
    ['ops_ey', 'a3-'],
    `(?:${B}ops_eyJ[A-Za-z0-9+/_-]{200,2000}={0,3}|(?<![A-Za-z0-9])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![A-Za-z0-9]))`,
  ),
  rule(
    'AZURE_STORAGE_KEY',
    ['accountkey', 'sharedaccesskey'],
    `(?:AccountKey|SharedAccessKey)\\s{0,2}=\\s{0,2}([A-Za-z0-9+/]{40,100}={0,2})`,
    0.95,
    'gi',
  ),
  rule(
    'AZURE_CLIENT_SECRET',
    ['q~'],
    `(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`,
    0.9,
  ),
  // The first part is the base64 of the bot's user id, a 64-bit snowflake: at most 19 decimal
  // digits, so at most 26 characters (ids of 18+ digits, every id since 2016, give 24 or more).
  rule(
    'DISCORD_TOKEN',
    ['discord', '.'],
    `(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_.-])`,
    0.85,
  ),
  rule(
    'DISCORD_WEBHOOK',
    ['discord'],
    `discord(?:app)?\\.com/api/webhooks/\\d{15,20}/[A-Za-z0-9_-]{60,80}`,
  ),
  rule(
    'TELEGRAM_BOT_TOKEN',
    [':aa'],
    `(?<![A-Za-z0-9])\\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])`,
  ),
  rule(
    'SQUARE_TOKEN',
    ['sq0', 'eaaa'],
    `${B}(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_\\\\-]{30,60}|EAAA[A-Za-z0-9_-]{60})${E}`,
  ),
  rule('FACEBOOK_TOKEN', ['eaa'], `(?<![A-Za-z0-9])EAA[A-Za-z0-9]{100,400}(?![A-Za-z0-9])`, 0.85),
  rule(
    'SHOPIFY_TOKEN',
    ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`,
  ),
  rule('DIGITALOCEAN_TOKEN', ['dop_v1_', 'doo_v1_', 'dor_v1_'], `${B}do[opr]_v1_[a-f0-9]{64}${E}`),
  rule('DATABRICKS_TOKEN', ['dapi'], `(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?:-\\d)?(?![A-Za-z0-9])`),
  rule(
    'HASHICORP_TOKEN',
    ['atlasv1', 'hvs.', 'hvb.'],
    `${B}(?:[a-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}|hvs\\.[A-Za-z0-9_-]{90,120}|hvb\\.[A-Za-z0-9_-]{130,250})${E}`,
  ),
  rule(
    'NOTION_TOKEN',
    ['ntn_', 'secret_'],
    `${B}(?:ntn_\\d{11}[A-Za-z0-9]{32}[A-Za-z0-9]{3}|secret_[A-Za-z0-9]{43})${E}`,
  ),
  rule(
    'SENTRY_TOKEN',
    ['sntrys_', 'sntryu_'],
    `${B}(?:sntrys_eyJ[A-Za-z0-9+/=_-]{60,400}|sntryu_[a-f0-9]{64})${E}`,
  ),
  rule(
    'GRAFANA_TOKEN',
    ['glc_', 'glsa_'],
    `${B}(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})${E}`,
  ),
  rule('SONAR_TOKEN', ['squ_', 'sqp_', 'sqa_'], `${B}sq[upa]_[a-f0-9]{40}${E}`),
  rule(
    'FLYIO_TOKEN',
    ['fo1_', 'fm1', 'fm2_'],
    `${B}(?:fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,1000}={0,3}|fm2_[A-Za-z0-9+/]{100,1000}={0,3})`,
  ),
  rule('HEROKU_TOKEN', ['hrku-'], `${B}HRKU-AA[A-Za-z0-9_-]{58}${E}`),
  rule('LINEAR_API_KEY', ['lin_api_'], `${B}lin_api_[A-Za-z0-9]{40}${E}`),
  rule(
    'ARTIFACTORY_TOKEN',
    ['akc', 'cmvmd'],
    `(?<![A-Za-z0-9])(?:AKC[A-Za-z0-9]{10,80}|cmVmd[A-Za-z0-9]{59})(?![A-Za-z0-9])`,
    0.85,
  ),
  // Sonar tokens from before the `squ_`/`sqp_`/`sqa_` prefixes (rule above) are bare 40-character
  // values, recognisable only where they are assigned to `sonar.login` / `SONAR_TOKEN`.
  anywhere(
    rule(
      'SONAR_TOKEN',
      ['sonar'],
      `sonar[\\w.-]{0,20}(?:login|token)[\\w.-]{0,10}["']?\\s{0,3}(?::{1,3}=|=>|=|:)\\s{0,3}["']?((?:sq[upa]_)?[A-Za-z0-9]{40})(?![A-Za-z0-9])`,
      0.9,
      'gi',
    ),
  ),
  // Sumo Logic access ids: `su` + 12 alphanumerics, recognisable only next to the product name.
  anywhere(
    rule(
      'SUMOLOGIC_ACCESS_ID',
      ['sumo'],
      `sumo[\\w.-]{0,20}?access[\\w.-]{0,3}id["']?\\s{0,3}(?::{1,3}=|=>|=|:)\\s{0,3}["']?(su[A-Za-z0-9]{12})(?![A-Za-z0-9])`,
      0.85,
      'gi',
    ),
  ),
  // Sourcegraph access tokens from before the `sgp_` prefix: 40 hex next to the product name.
  anywhere(
    rule(
      'SOURCEGRAPH_TOKEN',
      ['sourcegraph'],
      `sourcegraph[\\w.-]{0,20}["']?\\s{0,3}(?::{1,3}=|=>|=|:)\\s{0,3}["']?([a-fA-F0-9]{40})(?![A-Za-z0-9])`,
      0.85,
      'gi',
    ),
  ),
  rule(
    'SOURCEGRAPH_TOKEN',
    ['sgp_', 'sgph_'],
    `${B}(?:sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}|sgph_[a-fA-F0-9]{16}_[a-fA-F0-9]{40})${E}`,
  ),
  rule(
    'SIDEKIQ_SECRET',
    ['contribsys'],
    `BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM[ \\t]{0,3}[:=][ \\t]{0,3}["']?([a-f0-9]{8}:[a-f0-9]{8})`,
    0.9,
    'gi',
  ),
  rule('INTRA42_SECRET', ['s-s4t2'], `${B}s-s4t2(?:ud|af)-[a-f0-9]{64}${E}`),
  anywhere(
    rule(
      'FACEBOOK_TOKEN',
      ['facebook', 'fb'],
      `(?<![A-Za-z0-9])\\d{15,16}(?:\\||%7C)[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])`,
      0.85,
      'gi',
    ),
  ),
  rule(
    'SOFTLAYER_KEY',
    ['softlayer'],
    `api\\.softlayer\\.com/soap/v3(?:\\.1)?/([a-z0-9]{64})`,
    0.9,
    'gi',
  ),
  rule('PULUMI_TOKEN', ['pul-'], `${B}pul-[a-f0-9]{40}${E}`),
  rule('POSTMAN_TOKEN', ['pmak-'], `${B}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${E}`),
  rule('ATLASSIAN_TOKEN', ['atatt'], `${B}ATATT3[A-Za-z0-9_=-]{186}${E}`),
  rule('CLICKHOUSE_KEY', ['4b1d'], `${B}4b1d[A-Za-z0-9]{38}${E}`),
  rule('OPENSHIFT_TOKEN', ['sha256~'], `${B}sha256~[A-Za-z0-9_-]{43}${E}`),
  rule('SLACK_LEGACY_TOKEN', ['xox'], `${B}xox[os]-\\d{3,}-\\d{3,}-\\d{3,}-[a-f0-9]{6,64}${E}`),
  rule(
    'PRIVATE_KEY_PUTTY',
    ['putty-user-key-file'],
    `PuTTY-User-Key-File-\\d: [^\\n]{1,80}[\\s\\S]{0,40}?Private-Lines: \\d{1,3}\\r?\\n(?:[A-Za-z0-9+/=]{1,80}\\r?\\n){1,60}`,
  ),
  {
    type: 'JWT',
    keywords: ['eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{2,8000}(?:\.[A-Za-z0-9_-]{0,2000})?(?![A-Za-z0-9_-])/g,
    confidence: 0.9,
    validate: jwtHeaderValid,
  },
];

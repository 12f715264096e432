import type { AppManifest } from './app-manifest';

// Contract 5.11: format only; the SDK does not enforce outbound traffic.
const HOSTNAME = /^(\*\.)?[a-zA-Z0-9][a-zA-Z0-9\-_.]+$/;

function domainProblem(input: string): string | undefined {
  const withScheme = /^[a-zA-Z]+:\/\//.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return 'URL is malformed';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'protocol must be http or https';
  // WHATWG URL keeps a leading `*` in the hostname; one anywhere else is the error the SDK names.
  if (url.hostname.indexOf('*', 1) !== -1) return 'wildcard is only allowed for final subdomain';
  if (!HOSTNAME.test(url.hostname)) return 'hostname must be valid';
  if (url.pathname !== '/') return 'paths are not allowed';
  if (url.search) return 'query strings not allowed';
  return undefined;
}

export function validateOutboundDomains(manifest: AppManifest): string[] {
  return (manifest.outbound_domains ?? []).flatMap((input, index) => {
    const problem = domainProblem(input);
    return problem ? [`Invalid app.yml: outbound_domains[${index}] "${input}" ${problem}`] : [];
  });
}

/**
 * Text people typed (a return comment) goes into official email as plain text, and mail clients turn anything that
 * looks like an address into a link: `https://…`, `www.…`, a bare `example.com`, `someone@example.com`. So in such
 * text every link-shaped token is written the way security notices write addresses they must not make clickable
 * ("defanged"): `https[:]//example[.]com/x`, `someone[@]example[.]com`. Still readable, never a link, and robust where
 * zero-width characters are not (clients strip them, and IDNA maps look-alike dots such as U+FF0E back to `.`).
 */

/** A host name: labels of letters, digits and hyphens, ending in a label of letters (so 1.5 or 3.14 stay as they are). */
const HOSTISH = /[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}/gu;
/** A dotted IPv4 address, which clients link too. */
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;
const SCHEME = /\b([A-Za-z][A-Za-z0-9+.-]*):(\/\/|\\\\)/g;
const AT_IN_ADDRESS = /([\p{L}\p{N}._%+-])@(?=[\p{L}\p{N}])/gu;

export function defuseLinks(text: string): string {
  return text
    .replace(SCHEME, (_match, scheme: string, slashes: string) => `${scheme}[:]${slashes}`)
    .replace(AT_IN_ADDRESS, '$1[@]')
    .replace(HOSTISH, (host) => host.replaceAll('.', '[.]'))
    .replace(IPV4, (address) => address.replaceAll('.', '[.]'));
}

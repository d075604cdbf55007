/**
 * How a commune's fiche is addressed. The site of one département has one static page per commune
 * (`communes/23096.html`); the site of several départements has one fiche page per département that reads the
 * code from the address (`communes/fiche.html?code=23096`), since 35 000 static pages would take hours to build.
 * The build of several départements writes its own copy of this module with "query" (loaders/outputs/site/national.ts).
 */
export const ficheAddress: "page" | "query" = "page";

import { createContext, useContext } from "react";

// The per-response CSP nonce (server/guard.ts), given by entry.server to the inline scripts of the page (Remix's and
// Mantine's colour-scheme script); in the browser it is empty, as browsers hide the attribute once the page is parsed.
export const NonceContext = createContext<string | undefined>(undefined);
export const useNonce = () => useContext(NonceContext);

import coreStyles from "@mantine/core/styles.css";
import dropzoneStyles from "@mantine/dropzone/styles.css";
import notificationsStyles from "@mantine/notifications/styles.css";
import {
  AppShell,
  Badge,
  Burger,
  Button,
  ColorSchemeScript,
  Group,
  MantineProvider,
  NavLink,
  Stack,
  Text,
  Title,
  createTheme,
  mantineHtmlProps,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Notifications } from "@mantine/notifications";
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { json } from "@remix-run/node";
import { activeDataset } from "~/db/active.server";
import { useNonce } from "~/lib/nonce";
import { setActiveCurrency } from "~/components/format";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: coreStyles },
  { rel: "stylesheet", href: dropzoneStyles },
  { rel: "stylesheet", href: notificationsStyles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Campaign Lab" }];

// issue 14: badges in narrow cells were cut ("NOT YET CONC…"): their text wraps instead of being truncated
const theme = createTheme({
  primaryColor: "indigo",
  defaultRadius: "md",
  components: {
    Badge: Badge.extend({
      styles: {
        root: { height: "auto", minHeight: "var(--badge-height)", maxWidth: "100%" },
        label: { whiteSpace: "normal", overflow: "visible", textOverflow: "clip", lineHeight: 1.25, paddingBlock: 2 },
      },
    }),
  },
});

// grouped navigation (issue 16): campaigns first, then who to target, what it is worth, the context, the data
const NAV: { group: string | null; items: Record<string, string> }[] = [
  { group: "Campaigns", items: { "/": "Board", "/experiments/new": "New test", "/calculator": "Calculator" } },
  {
    group: "Audiences",
    items: { "/segments": "Segments", "/segments/personas": "Personas", "/audiences": "Saved audiences" },
  },
  {
    group: "Planning",
    items: { "/value": "Customer value", "/roi": "ROI", "/plan": "Plan", "/recommendations": "Recommendations" },
  },
  { group: "Context", items: { "/overview": "Overview", "/cohorts": "Cohorts", "/revenue": "Revenue" } },
  { group: null, items: { "/data": "Data" } },
];

/** Whether a menu item is the page shown: the board also for an experiment's pages, Segments not for Personas. */
function isActive(to: string, pathname: string): boolean {
  if (to === "/") return pathname === "/" || (pathname.startsWith("/experiments") && pathname !== "/experiments/new");
  if (to === "/segments") return pathname.startsWith("/segments") && !pathname.startsWith("/segments/personas");
  return pathname.startsWith(to);
}

export async function loader() {
  const active = activeDataset();
  return json({ active: active && { id: active.id, name: active.name, currency: active.currency } });
}

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce(); // the CSP nonce of this response (server/guard.ts)
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        <ColorSchemeScript nonce={nonce} />
        <style>
          {"@media print { .mantine-AppShell-header, .mantine-AppShell-navbar, .no-print { display: none " +
            "!important; } .mantine-AppShell-main { padding: 0 !important; } }"}
        </style>
      </head>
      <body>
        <MantineProvider theme={theme}>
          <Notifications />
          {children}
        </MantineProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const [opened, { toggle }] = useDisclosure();
  const { pathname } = useLocation();
  const data = useRouteLoaderData<typeof loader>("root");
  // every money figure below is formatted in the active data set's currency (issue 14; components/format.ts)
  setActiveCurrency(data?.active?.currency);
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={3}>Campaign Lab</Title>
          </Group>
          {data?.active ? (
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                Data set
              </Text>
              <Badge variant="light" component={Link} to="/data" style={{ cursor: "pointer" }}>
                {data.active.name}
              </Badge>
              <Badge
                variant="outline"
                color="gray"
                data-testid="active-currency"
                title="Currency of the amounts (change it on the Data page)"
              >
                {data.active.currency ?? "no currency"}
              </Badge>
            </Group>
          ) : (
            <Badge color="gray" variant="light">
              no data yet
            </Badge>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" style={{ overflowY: "auto" }}>
        {NAV.map((section) => (
          <div key={section.group ?? "data"}>
            {section.group && (
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="sm" mb={2} px="xs">
                {section.group}
              </Text>
            )}
            {Object.entries(section.items).map(([to, label]) => (
              <NavLink
                key={to}
                component={Link}
                to={to}
                label={label}
                active={isActive(to, pathname)}
                py={4}
                mt={section.group ? 0 : "sm"}
              />
            ))}
          </div>
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

export default function App() {
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

/** What a failed page tells the user: what went wrong in words, then the ways back. */
function describeError(error: unknown): { title: string; detail: string } {
  // issue 14: say what happened and what to do next, never only "Something went wrong"
  if (isRouteErrorResponse(error)) {
    const detail = typeof error.data === "string" && error.data ? error.data : error.statusText;
    if (error.status === 404)
      return {
        title: "Not found",
        detail: `${detail || "There is nothing at this address."} Check the address, or go back to the overview or the Data page.`,
      };
    if (error.status === 400)
      return {
        title: "That request could not be read",
        detail: `${detail} Correct the address or the form and try again.`,
      };
    if (error.status === 405)
      return {
        title: "That action is not available here",
        detail: `${detail || "This address does not accept that kind of request."} Use the page's own buttons.`,
      };
    if (error.status === 409)
      return {
        title: "That clashes with what is stored",
        detail: `${detail} Reload the page to see the current state.`,
      };
    if (error.status === 413) return { title: "That was too large", detail: `${detail} Send less at once.` };
    return {
      title: `The server could not answer (${error.status})`,
      detail: `${detail || "An error stopped this page."} Reload the page, or go back.`,
    };
  }
  const message = error instanceof Error ? error.message : "An unknown error stopped this page.";
  return {
    title: "This page could not be shown",
    detail: `${message} Reload the page, or go to the overview or the Data page.`,
  };
}

export function ErrorBoundary() {
  const { title, detail } = describeError(useRouteError());
  return (
    <Shell>
      <Stack gap="md" maw={720}>
        <Title order={2}>{title}</Title>
        <Text>{detail}</Text>
        <Group>
          <Button component={Link} to="/">
            Go to the campaigns board
          </Button>
          <Button variant="default" onClick={() => window.history.back()}>
            Back to the previous page
          </Button>
          <Button variant="subtle" component={Link} to="/data">
            Data sets
          </Button>
        </Group>
      </Stack>
    </Shell>
  );
}

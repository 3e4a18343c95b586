import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { DeleteForm } from "~/components/DeleteForm";
import { EmptyState } from "~/components/EmptyState";
import { amount, int } from "~/components/format";
import { activeDataset } from "~/db/active.server";
import { audienceFromForm, fieldErrors } from "~/segments/audience-form";
import { AppError, STATUS_OF } from "~/lib/errors";
import {
  describeAudience,
  getAudience,
  listAudiences,
  saveAudience,
  type AudienceDefinition,
} from "~/segments/audiences.server";
import { customerCountries, deleteAudience } from "~/segments/store.server";
import { personaClusters, segmentRun } from "~/segments/queries.server";
import { SEGMENTS } from "~/segments/rfm";
import { Section } from "~/components/Section";
import { TableHead } from "~/components/TableHead";

export const meta: MetaFunction = () => [{ title: "Audiences · Campaign Lab" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const active = activeDataset();
  if (!active) return json({ empty: true as const });
  const run = segmentRun(active.db, active.id);
  const editId = Number(new URL(request.url).searchParams.get("edit"));
  const editing = editId ? getAudience(active.db, editId) : null;
  return json({
    empty: false as const,
    dataset: active.name,
    audiences: listAudiences(active.db, active.id).map((a) => ({ ...a, description: describeAudience(a.definition) })),
    personas: personaClusters(active.db, active.id, run.chosenK).map((p) => ({
      k: p.k,
      cluster: p.cluster,
      name: p.name,
    })),
    countries: customerCountries(active.db, active.id),
    editing: editing && editing.datasetId === active.id ? editing : null,
  });
}

const deleteSchema = z.object({ intent: z.literal("delete"), id: z.coerce.number().int().positive() });

export async function action({ request }: ActionFunctionArgs) {
  const active = activeDataset();
  if (!active) throw new Response("No data set", { status: 404 });
  const form = await request.formData();
  if (form.get("intent") === "delete") {
    const parsed = deleteSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success || !deleteAudience(active.db, parsed.data.id))
      return json({ errors: { form: "That audience no longer exists" } }, { status: 404 });
    return redirect("/audiences?deleted=1");
  }
  const parsed = audienceFromForm(form);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const id = form.get("id") ? Number(form.get("id")) : undefined;
  try {
    const saved = saveAudience(active.db, active.id, parsed.data, id);
    return redirect(`/audiences?saved=${saved}`);
  } catch (err) {
    if (err instanceof AppError) return json({ errors: { form: err.message } }, { status: STATUS_OF[err.code] });
    throw err;
  }
}

type Editing = { id?: number; name: string; definition: AudienceDefinition };

export default function Audiences() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const [confirm, setConfirm] = useState<{ id: number; name: string } | null>(null);
  if (data.empty) return <EmptyState title="Audiences" />;
  const saved = Number(params.get("saved"));
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Audiences</Title>
        <Text c="dimmed">
          {data.dataset} · who a campaign experiment targets: a segment, a persona, or a filter. Sizes are live.
        </Text>
      </div>
      {saved > 0 && (
        <Alert color="teal" data-testid="audience-saved">
          {params.get("existed") ? "Already saved as" : "Saved"} “{data.audiences.find((a) => a.id === saved)?.name}”.
        </Alert>
      )}
      {params.get("deleted") && <Alert color="teal">Deleted the audience.</Alert>}
      <Section
        title="Saved audiences"
        aside={
          <Anchor size="sm" href="/api/audiences">
            JSON
          </Anchor>
        }
      >
        {data.audiences.length === 0 ? (
          <Text c="dimmed">None yet: save one below, or use “Use as audience” on a segment or persona.</Text>
        ) : (
          <Table striped fz="sm" data-testid="audiences-table">
            <TableHead columns={["Name", "Kind", "Definition", "Customers", "Net spend to date", ""]} />
            <Table.Tbody>
              {data.audiences.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td fw={600}>{a.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" size="sm">
                      {a.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{a.description}</Table.Td>
                  <Table.Td ta="right">{int(a.customers)}</Table.Td>
                  <Table.Td ta="right">{amount(a.revenue)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="light" component={Link} to={`/experiments/new?audience=${a.id}`}>
                        Design a test
                      </Button>
                      <Button size="xs" variant="subtle" component="a" href={`/audiences/${a.id}/members.csv`} download>
                        Members (CSV)
                      </Button>
                      <Button size="xs" variant="subtle" component={Link} to={`/audiences?edit=${a.id}`}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() => setConfirm({ id: a.id, name: a.name })}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>
      <AudienceForm
        key={data.editing?.id ?? "new"}
        editing={data.editing ?? { name: "", definition: { kind: "filter" } }}
        personas={data.personas}
        countries={data.countries}
      />
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title="Delete this audience?">
        <DeleteForm id={confirm?.id} onClose={() => setConfirm(null)}>
          <Text mb="md">“{confirm?.name}” will be deleted; its customers are not affected.</Text>
        </DeleteForm>
      </Modal>
    </Stack>
  );
}

// The filter's ranges, each a pair of fields (recencyMin, recencyMax, …) read by the audience schema.
const RANGES: { key: "recency" | "frequency" | "monetary"; label: string; decimalScale?: number }[] = [
  { key: "recency", label: "Days since last order ≥" },
  { key: "frequency", label: "Orders ≥" },
  { key: "monetary", label: "Net spend ≥", decimalScale: 2 },
];

function AudienceForm({
  editing,
  personas,
  countries,
}: {
  editing: Editing;
  personas: { k: number; cluster: number; name: string }[];
  countries: string[];
}) {
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = (result && "errors" in result ? result.errors : {}) as Record<string, string>;
  const preview = useFetcher<{
    customers?: number;
    revenue?: number;
    description?: string;
    errors?: Record<string, string>;
  }>();
  const formRef = useRef<HTMLFormElement>(null);
  const d = editing.definition;
  const [kind, setKind] = useState<AudienceDefinition["kind"]>(d.kind);
  const [persona, setPersona] = useState<string | null>(
    d.kind === "persona" ? String(d.cluster) : personas[0] ? String(personas[0].cluster) : null,
  );
  // the preview is asked for once the form has settled (Mantine's inputs and selects set their value after the event),
  // after each edit and again when a field is left: a quick edit of two fields once showed the first one's preview only
  const settle = useRef<ReturnType<typeof setTimeout>>();
  const refresh = () => {
    clearTimeout(settle.current);
    settle.current = setTimeout(() => {
      if (formRef.current) preview.submit(formRef.current, { method: "post", action: "/api/audiences" });
    }, 150);
  };
  useEffect(refresh, [kind, persona]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => clearTimeout(settle.current), []);
  const filter = d.kind === "filter" ? d : null;
  const chosen = personas.find((p) => String(p.cluster) === persona);
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        {editing.id ? `Edit “${editing.name}”` : "New audience"}
      </Title>
      <Form method="post" ref={formRef} onChange={refresh} onBlur={refresh} data-testid="audience-form">
        {editing.id && <input type="hidden" name="id" value={editing.id} />}
        <input type="hidden" name="kind" value={kind} />
        {/* a grid-cell audience (issue 14) keeps its cell when edited here */}
        {kind === "filter" && filter?.cell && (
          <>
            <input type="hidden" name="cellR" value={filter.cell.r} />
            <input type="hidden" name="cellFm" value={filter.cell.fm} />
          </>
        )}
        <Stack>
          {errors.form && <Alert color="red">{errors.form}</Alert>}
          <Group align="flex-end">
            <TextInput name="name" label="Name" defaultValue={editing.name} error={errors.name} w={320} required />
            <SegmentedControl
              value={kind}
              onChange={(v) => setKind(v as AudienceDefinition["kind"])}
              data={[
                { value: "segment", label: "Segment" },
                { value: "persona", label: "Persona" },
                { value: "filter", label: "Filter" },
              ]}
            />
          </Group>
          {kind === "segment" && (
            <Select
              name="segment"
              label="Segment"
              data={[...SEGMENTS]}
              defaultValue={d.kind === "segment" ? d.segment : "At Risk"}
              allowDeselect={false}
              w={320}
              error={errors.segment}
              onChange={refresh}
            />
          )}
          {kind === "persona" && (
            <>
              <input type="hidden" name="k" value={chosen?.k ?? ""} />
              <input type="hidden" name="personaName" value={chosen?.name ?? ""} />
              <Select
                name="cluster"
                label="Persona (of the chosen k)"
                data={personas.map((p) => ({ value: String(p.cluster), label: p.name }))}
                value={persona}
                onChange={setPersona}
                allowDeselect={false}
                w={320}
                error={errors.cluster ?? errors.k}
              />
            </>
          )}
          {kind === "filter" && (
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <MultiSelect
                name="countries"
                label="Countries"
                data={countries}
                defaultValue={filter?.countries ?? []}
                searchable
                clearable
                error={errors.countries}
                onChange={refresh}
              />
              <MultiSelect
                name="segments"
                label="Segments"
                data={[...SEGMENTS]}
                defaultValue={filter?.segments ?? []}
                clearable
                error={errors.segments}
                onChange={refresh}
              />
              {RANGES.map(({ key, label, decimalScale }) => (
                <Group grow key={key}>
                  {(["min", "max"] as const).map((end) => {
                    const name = `${key}${end === "min" ? "Min" : "Max"}`;
                    return (
                      <NumberInput
                        key={end}
                        name={name}
                        label={end === "min" ? label : "≤"}
                        defaultValue={filter?.[key]?.[end]}
                        min={0}
                        decimalScale={decimalScale}
                        error={errors[name]}
                      />
                    );
                  })}
                </Group>
              ))}
            </SimpleGrid>
          )}
          <Text size="sm" data-testid="audience-preview">
            {preview.data?.customers !== undefined
              ? `${int(preview.data.customers)} customers · ${amount(preview.data.revenue ?? 0)} net spend to date · ${preview.data.description}`
              : preview.data?.errors
                ? Object.values(preview.data.errors).join("; ")
                : "…"}
          </Text>
          <Group>
            <Button type="submit">{editing.id ? "Save changes" : "Save audience"}</Button>
            {editing.id && (
              <Button variant="default" component={Link} to="/audiences">
                Cancel
              </Button>
            )}
          </Group>
        </Stack>
      </Form>
    </Card>
  );
}

import * as Plot from "@observablehq/plot";

/** Number of communes and population per regulatory zone of FttH deployment. */
export function zoneChart(communes: Record<string, unknown>[], { width = 640 } = {}) {
  const zones = ["ZTD", "AMII", "AMEL", "RIP", "inconnue"];
  const rows = zones.map((zone) => {
    const members = communes.filter((c) => (c.zone_fthd ?? "inconnue") === zone);
    return { zone, communes: members.length, population: members.reduce((s, c) => s + (Number(c.population) || 0), 0) };
  });
  return Plot.plot({
    width,
    height: 200,
    marginLeft: 80,
    x: { label: "Population", grid: true, tickFormat: "s" },
    y: { label: null, domain: zones },
    marks: [
      Plot.barX(rows, { x: "population", y: "zone", fill: "#2b6cb0", title: (d) => `${d.zone} : ${d.communes} communes, ${Math.round(d.population).toLocaleString("fr-FR")} habitants` }),
      Plot.text(rows, { x: "population", y: "zone", text: (d) => `${d.communes} communes`, dx: 4, textAnchor: "start", fill: "#222" }),
      Plot.ruleX([0], { ariaHidden: "true" })
    ]
  });
}

/**
 * Share of premises eligible to 30 Mbit/s or more (Ma connexion internet) and connectable to FttH (Arcep),
 * for the département, its région and France. Speed classes are cumulative: ≥ 30 Mbit/s includes faster ones.
 */
export function eligibilityChart(territories: Record<string, unknown>[], { width = 640 } = {}) {
  const measures = [
    { key: "part_locaux_ftth", label: "Raccordables à la fibre" },
    { key: "part_eligible_bhd8", label: "Éligibles à 8 Mbit/s ou plus" },
    { key: "part_eligible_thd30", label: "Éligibles à 30 Mbit/s ou plus" },
    { key: "part_eligible_thd100", label: "Éligibles à 100 Mbit/s ou plus" },
    { key: "part_eligible_thd1g", label: "Éligibles à 1 Gbit/s ou plus" }
  ];
  const rows = territories.flatMap((t) => measures.map((m) => ({ territoire: String(t.nom), mesure: m.label, part: typeof t[m.key] === "number" ? (t[m.key] as number) : NaN })));
  return Plot.plot({
    width,
    height: 60 + 110 * territories.length,
    marginLeft: 150,
    marginRight: 130,
    x: { label: "Part des locaux", percent: true, domain: [0, 100], grid: true },
    y: { label: null, domain: measures.map((m) => m.label) },
    fy: { label: null },
    // Explicit order: fibre first, then speeds from the slowest, lighter to darker blue.
    color: { legend: true, domain: measures.map((m) => m.label), range: ["#9f7aea", "#c6dbef", "#6baed6", "#2171b5", "#08306b"] },
    marks: [
      Plot.barX(rows, { x: "part", y: "mesure", fy: "territoire", fill: "mesure", title: (d) => `${d.territoire}, ${d.mesure.toLowerCase()} : ${Number.isNaN(d.part) ? "—" : (d.part * 100).toFixed(1).replace(".", ",") + " %"}` }),
      Plot.ruleX([0], { ariaHidden: "true" })
    ]
  });
}

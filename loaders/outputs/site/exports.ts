/** The export files the site links to (written by `sdin export` into `exports/<code>/`). */
export function exportFileNames(departement: string): { name: string; description: string }[] {
  return [
    { name: "communes.csv", description: "Indicateurs par commune (CSV, séparateur virgule, point décimal)" },
    { name: "communes.xlsx", description: "Indicateurs par commune (classeur Excel)" },
    { name: "epci.csv", description: "Indicateurs par EPCI (CSV)" },
    { name: "lieux.csv", description: "Lieux d'aide au numérique (CSV)" },
    { name: "territoires.csv", description: "Le département, sa région et la France (CSV, avec les parts non calculées et leur motif)" },
    { name: "communes.geojson", description: "Communes avec leurs indicateurs (GeoJSON, pour un SIG)" },
    { name: `schema-departemental-${departement}.docx`, description: "Trame du schéma départemental avec fiches actions (Word)" },
    { name: `schema-departemental-${departement}.md`, description: "Trame du schéma départemental (Markdown)" }
  ];
}

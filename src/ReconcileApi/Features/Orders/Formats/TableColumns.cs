namespace ReconcileApi.Features.Orders.Formats;

/// <summary>
/// Which column holds which canonical field in one table: header aliases per format, overridden by the
/// caller's <see cref="FormatContext.ColumnMap"/> (canonical field → header text). Headers and map keys are
/// compared by <see cref="Key"/> (case, spaces, underscores, dashes and dots ignored).
/// </summary>
public sealed class TableColumns
{
    readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    readonly IReadOnlyList<string> header;

    /// <summary>Problems with the column map; every order of the table reports them, so a wrong map never passes silently.</summary>
    public IReadOnlyList<FieldError> MapErrors { get; }

    /// <summary>Headers no field reads that look like the name of a field the table lacks; the table's first order reports them.</summary>
    public IReadOnlyList<FieldError> Misspelt { get; }

    public TableColumns(IReadOnlyList<string> header, IReadOnlyDictionary<string, string[]> aliases, IReadOnlyDictionary<string, string> columnMap)
    {
        this.header = header;
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        // A header the table has more than once: its first column, and the later ones.
        var copies = new Dictionary<int, List<int>>();
        for (var i = 0; i < header.Count; i++)
        {
            var key = Key(header[i]);
            if (byKey.TryGetValue(key, out var first))
                (copies.TryGetValue(first, out var later) ? later : copies[first] = []).Add(i);
            else
                byKey[key] = i;
        }
        foreach (var (field, names) in aliases)
        {
            foreach (var name in names)
            {
                if (byKey.TryGetValue(Key(name), out var i))
                {
                    index[field] = i;
                    break;
                }
            }
        }
        var fieldsByKey = aliases.Keys.ToDictionary(Key, f => f, StringComparer.Ordinal);
        var mapErrors = new List<FieldError>();
        foreach (var (field, headerText) in columnMap)
        {
            if (!fieldsByKey.TryGetValue(Key(field), out var canonical))
                mapErrors.Add(new FieldError($"columnMap.{field}", $"Unknown field; this format reads {string.Join(", ", aliases.Keys)}."));
            else if (!byKey.TryGetValue(Key(headerText), out var i))
                mapErrors.Add(new FieldError($"columnMap.{field}", $"The table has no column '{headerText}'."));
            else
                index[canonical] = i;
        }
        MapErrors = mapErrors;
        // A header no field reads that is a spelling of a field the table has no column for ("customer_emial"): its cells
        // would be lost without a word. Vendors' exports carry dozens of columns no field reads (`customer_note` beside
        // `customer_name`, `Order Notes`), so only a header one edit from a missing field's alias is told: a typo.
        var read = index.Values.ToHashSet();
        var missing = aliases.Where(a => !index.ContainsKey(a.Key)).SelectMany(a => a.Value.Select(name => (Alias: name, Field: a.Key))).ToList();
        var aliasNames = missing.Select(m => m.Alias).ToList();
        Misspelt = header.Select((text, i) => (Text: text.Trim().TrimStart('\uFEFF'), Column: i))
            .Where(h => !read.Contains(h.Column) && Key(h.Text).Length >= 5)
            .Select(h => (h.Text, h.Column, Alias: Spelling.Closest(h.Text, aliasNames, maxEdits: 1)))
            .Where(h => h.Alias is not null)
            .Select(h => new FieldError(h.Text, $"Column {h.Column + 1} is not a column this format reads, so no order has its values; did you mean " +
                $"'{h.Alias}' ({missing.First(m => m.Alias == h.Alias).Field})? Rename the header, or map it: " +
                $"?columnMap={missing.First(m => m.Alias == h.Alias).Field}={h.Text}"))
            .ToList();
        // A field read from a column whose header the table has more than once: its other copies are compared with it.
        this.copies = index.Where(p => copies.ContainsKey(p.Value)).Select(p => (p.Key, copies[p.Value].ToArray())).ToList();
    }

    /// <summary>The fields read from a column whose header appears again later in the header, with those later columns.</summary>
    readonly List<(string Field, int[] Others)> copies;

    /// <summary>
    /// Warnings for the cells of <paramref name="row"/> in a repeated column that hold another value than the column a field is
    /// read from: the first is kept, as for an order's later rows, and the other is named, never dropped unsaid.
    /// </summary>
    public void CompareCopies(TableRow row, ReadProblems problems)
    {
        foreach (var (field, others) in copies)
        {
            var kept = Cell(row, field);
            var first = index[field];
            foreach (var other in others)
            {
                // 5 and 5.00 are one amount, as across an order's rows.
                if (Clean(row, other) is { } text && text != kept
                    && !(kept is not null && Lenient.TryDecimal(text, out var x) && Lenient.TryDecimal(kept, out var y) && x == y))
                    problems.Warn(HeaderOf(field), $"Line {row.Line}: the header has '{header[other].Trim()}' twice (columns {first + 1} and {other + 1}); " +
                        $"column {other + 1} holds '{text}', column {first + 1} {(kept is null ? "nothing" : $"'{kept}'")}; column {first + 1} was read.");
            }
        }
    }

    /// <summary>A header or field name reduced for comparison: "Order #" → "order#", "Lineitem_SKU" → "lineitemsku".</summary>
    public static string Key(string text) => Spelling.Key(text);

    public bool Has(string field) => index.ContainsKey(field);

    /// <summary>The column's header as written in the file (what error messages name), or the field itself.</summary>
    public string HeaderOf(string field) => index.TryGetValue(field, out var i) ? header[i].Trim().TrimStart('\uFEFF') : field;

    /// <summary>The cell of a field in a row, cleaned: trimmed, a spreadsheet's leading <c>'</c> dropped, empty → null.</summary>
    public string? Cell(TableRow row, string field)
    {
        if (!index.TryGetValue(field, out var i))
            return null;
        return Clean(row, i);
    }

    static string? Clean(TableRow row, int i)
    {
        if (i >= row.Cells.Count)
            return null;
        var text = row.Cells[i]?.Trim();
        if (text is { Length: > 0 } && text[0] == '\'')
            text = text[1..].Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public IReadOnlyDictionary<string, string> Raw(IReadOnlyList<TableRow> rows)
    {
        // First row by header; later rows (one per line item) as "header (line N)", non-empty cells only; cells past
        // the header as "column N".
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var i = 0; i < row.Cells.Count; i++)
            {
                var cell = row.Cells[i] ?? "";
                var name = i < header.Count ? header[i] : $"column {i + 1}";
                if (r == 0)
                    raw.TryAdd(name, cell);
                else if (cell.Length > 0)
                    raw.TryAdd($"{name} (line {row.Line})", cell);
            }
        }
        return raw;
    }
}

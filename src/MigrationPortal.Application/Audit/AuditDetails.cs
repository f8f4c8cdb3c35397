using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MigrationPortal.Application.Audit;

/// <summary>
/// One fact of an event's details as a person reads it: "Local start" = "2026-01-03 22:00". A list of records (a
/// conversion map's entries, the approval rules) has an empty <see cref="Value"/> and one set of facts per record in
/// <see cref="Items"/>, so the page can show it as a list instead of JSON.
/// </summary>
public sealed record AuditDetail(string Label, string Value)
{
    private static readonly IReadOnlyList<IReadOnlyList<AuditDetail>> None = [];

    public IReadOnlyList<IReadOnlyList<AuditDetail>> Items { get; init; } = None;

    public bool Equals(AuditDetail? other) =>
        other is not null && Label == other.Label && Value == other.Value
        && Items.Count == other.Items.Count && Items.Zip(other.Items).All(p => p.First.SequenceEqual(p.Second));

    public override int GetHashCode() => HashCode.Combine(Label, Value, Items.Count);
}

/// <summary>
/// The words for one stored value, or null to show it as stored: the page knows that "status": 2 under a job step is
/// "Succeeded" and "kind": "ComputeAndStorage" is "Compute and storage"; this parser does not.
/// </summary>
/// <param name="key">The property name as stored ("Format", "kind").</param>
public delegate string? AuditValueWords(string key, JsonElement value);

/// <summary>
/// Turns an event's stored details (JSON, with markup characters escaped as \u003C) into label and value pairs for the
/// audit page. The values come back as plain text; the page encodes them like any other text, so markup is shown, never run.
/// The stored JSON itself stays untouched: it is what the hash chain covers and the exports carry.
/// </summary>
public static class AuditDetails
{
    public static IReadOnlyList<AuditDetail> Pairs(string? json, AuditValueWords? words = null)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // Details written before they were JSON, or by hand: show them as they are.
            return [new AuditDetail("Details", json)];
        }

        using (document)
        {
            var pairs = new List<AuditDetail>();
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object) Flatten(root, "", pairs, words);
            else pairs.Add(Detail("Details", "", root, words));
            return pairs;
        }
    }

    private static void Flatten(JsonElement element, string prefix, List<AuditDetail> pairs, AuditValueWords? words)
    {
        foreach (var property in element.EnumerateObject())
        {
            var label = prefix.Length == 0 ? Label(property.Name) : $"{prefix} · {Label(property.Name)}";
            if (property.Value.ValueKind == JsonValueKind.Object) Flatten(property.Value, label, pairs, words);
            else if (property.Value.ValueKind != JsonValueKind.Null) pairs.Add(Detail(label, property.Name, property.Value, words));
        }
    }

    /// <summary>A list holding any record becomes items (one set of facts each); anything else is one line of text.</summary>
    private static AuditDetail Detail(string label, string key, JsonElement value, AuditValueWords? words)
    {
        if (value.ValueKind != JsonValueKind.Array || !value.EnumerateArray().Any(v => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
            return new AuditDetail(label, Text(key, value, words));
        var items = new List<IReadOnlyList<AuditDetail>>();
        foreach (var item in value.EnumerateArray())
        {
            var facts = new List<AuditDetail>();
            if (item.ValueKind == JsonValueKind.Object) Flatten(item, "", facts, words);
            else if (item.ValueKind != JsonValueKind.Null) facts.Add(Detail("Value", key, item, words));
            items.Add(facts);
        }

        return new AuditDetail(label, "") { Items = items };
    }

    private static string Text(string key, JsonElement value, AuditValueWords? words)
    {
        if (value.ValueKind == JsonValueKind.Array) return value.GetArrayLength() == 0 ? "none" : string.Join(", ", value.EnumerateArray().Select(v => Text(key, v, words)));
        if (words?.Invoke(key, value) is { } said) return said;
        return value.ValueKind switch
        {
            JsonValueKind.String => Moment(value.GetString() ?? ""),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => value.GetRawText(),
        };
    }

    /// <summary>
    /// An instant as stored ("2026-12-04T17:00:00+00:00") reads "2026-12-04 17:00:00 UTC", like the When column. Only
    /// text with a 'T' and an offset is an instant; a window's local start ("2027-01-02T22:00:00") has no offset and stays.
    /// </summary>
    private static string Moment(string text)
    {
        if (text.Length is < 20 or > 40 || text[10] != 'T' || !(text.EndsWith('Z') || text[^6] is '+' or '-')) return text;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"
            : text;
    }

    // Written in camel case ("vmIds", "Vms") they would read "Vm ids" and "Vms".
    private static readonly Dictionary<string, string> Acronyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vm"] = "VM", ["vms"] = "VMs", ["id"] = "ID", ["ids"] = "IDs", ["cpu"] = "CPU", ["url"] = "URL",
    };

    /// <summary>"localStart" and "local_start" read "Local start"; an all-capitals word ("VM", "ID") keeps its case.</summary>
    private static string Label(string name)
    {
        var words = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '-') { words.Append(' '); continue; }
            var startsWord = i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
            if (startsWord) words.Append(' ');
            words.Append(c);
        }

        var text = words.ToString().Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select((w, i) => Acronyms.TryGetValue(w, out var acronym) ? acronym
                : w.All(char.IsUpper) && w.Length > 1 ? w : i == 0 ? char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..].ToLowerInvariant() : w.ToLowerInvariant());
        return string.Join(' ', parts);
    }
}

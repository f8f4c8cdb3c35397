using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MigrationPortal.Application.Audit;

/// <summary>One fact of an event's details as a person reads it: "Local start" = "2026-01-03 22:00".</summary>
public sealed record AuditDetail(string Label, string Value);

/// <summary>
/// Turns an event's stored details (JSON, with markup characters escaped as \u003C) into label and value pairs for the
/// audit page. The values come back as plain text; the page encodes them like any other text, so markup is shown, never run.
/// The stored JSON itself stays untouched: it is what the hash chain covers and the exports carry.
/// </summary>
public static class AuditDetails
{
    public static IReadOnlyList<AuditDetail> Pairs(string? json)
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
            if (document.RootElement.ValueKind == JsonValueKind.Object) Flatten(document.RootElement, "", pairs);
            else pairs.Add(new AuditDetail("Details", Text(document.RootElement)));
            return pairs;
        }
    }

    private static void Flatten(JsonElement element, string prefix, List<AuditDetail> pairs)
    {
        foreach (var property in element.EnumerateObject())
        {
            var label = prefix.Length == 0 ? Label(property.Name) : $"{prefix} · {Label(property.Name)}";
            if (property.Value.ValueKind == JsonValueKind.Object) Flatten(property.Value, label, pairs);
            else if (property.Value.ValueKind != JsonValueKind.Null) pairs.Add(new AuditDetail(label, Text(property.Value)));
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Text)),
        // Nested objects inside lists stay compact JSON: rare, and still readable without escapes.
        JsonValueKind.Object => value.GetRawText(),
        _ => value.GetRawText(),
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
            .Select((w, i) => w.All(char.IsUpper) && w.Length > 1 ? w : i == 0 ? char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..].ToLowerInvariant() : w.ToLowerInvariant());
        return string.Join(' ', parts);
    }
}

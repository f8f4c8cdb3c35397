using System.Text.Json;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// Which VMs carry a tag of one category, read from vCenter's vAPI tagging service (REST; vim25 has no tags). The
/// number of calls does not grow with the inventory: list the categories and read them to find the one named, list its
/// tags and read their names, then one list-attached-objects-on-tags for all of them.
/// </summary>
public static class VSphereTags
{
    private const string Tagging = "/com/vmware/cis/tagging";

    /// <summary>VM managed-object ID to the name of its tag in <paramref name="category"/>; empty when the category does not exist.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> VmTagsInCategoryAsync(VimClient client, string category, CancellationToken ct)
    {
        string? categoryId = null;
        foreach (var id in Strings(await client.RestAsync(HttpMethod.Get, $"{Tagging}/category", null, ct)))
        {
            var found = await client.RestAsync(HttpMethod.Get, $"{Tagging}/category/id:{Uri.EscapeDataString(id)}", null, ct);
            if (string.Equals(NameOf(found), category, StringComparison.OrdinalIgnoreCase))
            {
                categoryId = id;
                break;
            }
        }

        if (categoryId is null) return new Dictionary<string, string>();
        var tagNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tagId in Strings(await client.RestAsync(HttpMethod.Post, $"{Tagging}/tag/id:{Uri.EscapeDataString(categoryId)}?~action=list-tags-for-category", null, ct)))
        {
            if (NameOf(await client.RestAsync(HttpMethod.Get, $"{Tagging}/tag/id:{Uri.EscapeDataString(tagId)}", null, ct)) is { Length: > 0 } name)
                tagNames[tagId] = name.Trim();
        }

        if (tagNames.Count == 0) return new Dictionary<string, string>();
        var attached = await client.RestAsync(HttpMethod.Post, $"{Tagging}/tag-association?~action=list-attached-objects-on-tags",
            new Dictionary<string, object> { ["tag_ids"] = tagNames.Keys.ToArray() }, ct);
        var byVm = new Dictionary<string, string>(StringComparer.Ordinal);
        if (attached is not { ValueKind: JsonValueKind.Array } list) return byVm;
        foreach (var entry in list.EnumerateArray())
        {
            if (!entry.TryGetProperty("tag_id", out var tagId) || tagId.GetString() is not { } tag || !tagNames.TryGetValue(tag, out var tagName)) continue;
            if (!entry.TryGetProperty("object_ids", out var objects) || objects.ValueKind != JsonValueKind.Array) continue;
            foreach (var o in objects.EnumerateArray())
            {
                if (o.TryGetProperty("type", out var type) && type.GetString() == "VirtualMachine" && o.TryGetProperty("id", out var vm) && vm.GetString() is { } vmId)
                {
                    // A multiple-cardinality category may give one VM several tags: keep the first by name, so every sync agrees.
                    if (!byVm.TryGetValue(vmId, out var current) || string.CompareOrdinal(tagName, current) < 0) byVm[vmId] = tagName;
                }
            }
        }

        return byVm;
    }

    private static IEnumerable<string> Strings(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(e => e.GetString()).OfType<string>().ToList() : [];

    private static string? NameOf(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("name", out var name) ? name.GetString() : null;
}

using System.Xml.Linq;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>Reading: container views and RetrievePropertiesEx, following continuation tokens.</summary>
public sealed partial class VimClient
{
    public async Task<MoRef> CreateContainerViewAsync(MoRef container, IEnumerable<string> types, CancellationToken ct)
    {
        var response = await InvokeAsync("CreateContainerView", Content.ViewManager, ct,
            container.ToXml("container"), types.Select(t => Vim.E("type", t)), Vim.E("recursive", "true"));
        return MoRef.Parse(response.Child("returnval")!);
    }

    public Task DestroyViewAsync(MoRef view, CancellationToken ct) => InvokeAsync("DestroyView", view, ct);

    /// <summary>
    /// RetrievePropertiesEx, then ContinueRetrievePropertiesEx for as long as vCenter returns a token. Results are
    /// keyed by the object reference; a missing (unset) property is simply absent.
    /// </summary>
    public async Task<List<VimObject>> RetrieveAsync(IEnumerable<XElement> propSets, IEnumerable<XElement> objectSets, int? maxObjects, CancellationToken ct)
    {
        var spec = Vim.E("specSet", propSets, objectSets);
        var options = Vim.E("options", maxObjects is { } max ? Vim.E("maxObjects", max) : null);
        var response = await InvokeAsync("RetrievePropertiesEx", Content.PropertyCollector, ct, spec, options);
        var results = new List<VimObject>();
        var page = response.Child("returnval");
        while (page is not null)
        {
            foreach (var objectContent in page.Children("objects")) results.Add(ParseObjectContent(objectContent));
            var token = page.ChildValue("token");
            if (string.IsNullOrEmpty(token)) break;
            var next = await InvokeAsync("ContinueRetrievePropertiesEx", Content.PropertyCollector, ct, Vim.E("token", token));
            page = next.Child("returnval");
        }

        return results;
    }

    /// <summary>Reads properties of objects named directly (no traversal). Objects that no longer exist are left out.</summary>
    public async Task<Dictionary<MoRef, VimObject>> RetrieveObjectsAsync(IReadOnlyCollection<MoRef> objects, IReadOnlyCollection<string> paths, CancellationToken ct)
    {
        if (objects.Count == 0) return [];
        var propSets = objects.Select(o => o.Type).Distinct().Select(type => PropSet(type, paths)).ToList();
        try
        {
            var found = await RetrieveAsync(propSets, objects.Distinct().Select(ObjectSet), null, ct);
            return found.ToDictionary(o => o.Ref);
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound") && objects.Count > 1)
        {
            // vCenter fails the whole call when one object is gone; ask again one by one and leave out the missing ones.
            var found = new Dictionary<MoRef, VimObject>();
            foreach (var o in objects.Distinct())
            {
                try
                {
                    foreach (var item in await RetrieveAsync([PropSet(o.Type, paths)], [ObjectSet(o)], null, ct)) found[item.Ref] = item;
                }
                catch (VimFaultException one) when (one.Is("ManagedObjectNotFound"))
                {
                }
            }

            return found;
        }

        static XElement ObjectSet(MoRef o) => Vim.E("objectSet", o.ToXml("obj"), Vim.E("skip", "false"));
    }

    /// <summary>Reads one object's properties; ManagedObjectNotFound if vCenter does not know it.</summary>
    public async Task<VimObject> RetrieveObjectAsync(MoRef obj, IReadOnlyCollection<string> paths, CancellationToken ct)
    {
        var found = await RetrieveObjectsAsync([obj], paths, ct);
        return found.GetValueOrDefault(obj) ?? throw new VimFaultException("ManagedObjectNotFound", $"vCenter has no {obj.Type} '{obj.Value}'.");
    }

    public static XElement PropSet(string type, IEnumerable<string> paths) => Vim.E("propSet", Vim.E("type", type), paths.Select(p => Vim.E("pathSet", p)));

    /// <summary>An objectSet that starts at a ContainerView and visits every object in it.</summary>
    public static XElement ContainerViewObjectSet(MoRef view) => Vim.E("objectSet", view.ToXml("obj"), Vim.E("skip", "true"),
        Vim.E("selectSet", new XAttribute(Vim.Xsi + "type", "TraversalSpec"), Vim.E("name", "view"), Vim.E("type", "ContainerView"), Vim.E("path", "view"), Vim.E("skip", "false")));

    private static VimObject ParseObjectContent(XElement objectContent)
    {
        var reference = MoRef.Parse(objectContent.Child("obj")!);
        var properties = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var prop in objectContent.Children("propSet"))
            if (prop.ChildValue("name") is { } name && prop.Child("val") is { } val) properties[name] = val;
        return new VimObject(reference, properties);
    }
}

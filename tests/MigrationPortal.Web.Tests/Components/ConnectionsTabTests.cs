using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Web.Components.Admin;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// Administration → Connections on a phone (issue 13 §5): the name stays on one line, the kind and endpoint are said under
/// it, and the secondary columns are the ones a small screen hides (portal.css-style rules in the tab).
/// </summary>
public sealed class ConnectionsTabTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Connections_KeepTheNameWhole_AndSayKindAndEndpointUnderIt_ForSmallScreens()
    {
        var name = $"vc-{Guid.NewGuid():N}"[..16];
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IPortalDb>();
            db.Connections.Add(new Connection(name, ConnectionKinds.VSphere, $"https://{name}.example/sdk", "svc") { PinnedThumbprint = new string('A', 64), AllowUnencryptedMigration = true });
            await db.SaveChangesAsync();
        }

        var cut = RenderAs<ConnectionsTab>(User("u-adam", "Adam", "Administrator"));

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-testid=connection-row]"), r => r.TextContent.Contains(name)));
        var row = cut.FindAll("[data-testid=connection-row]").Single(r => r.TextContent.Contains(name));
        var nameCell = row.QuerySelector("[data-testid=connection-name-cell]")!;
        Assert.Contains("name-cell", nameCell.ClassList);
        Assert.Equal($"vSphere (vCenter) · https://{name}.example/sdk · svc · unencrypted allowed · synced never", nameCell.QuerySelector("[data-testid=connection-inline]")!.TextContent.Trim());
        Assert.Contains("connections-inline", nameCell.QuerySelector("[data-testid=connection-inline]")!.ClassList);

        // Name and actions stay on a phone; the rest are the columns the tab's small-screen rule hides.
        var cells = row.QuerySelectorAll("td");
        Assert.Equal([false, true, true, true, true, true, true, true, true, false], cells.Select(c => c.ClassList.Contains("connections-secondary")));
        var headers = cut.FindAll("[data-testid=connections] thead th");
        Assert.Equal(cells.Select(c => c.ClassList.Contains("connections-secondary")), headers.Select(h => h.ClassList.Contains("connections-secondary")));
        Assert.Equal("Actions", headers[^1].TextContent.Trim());
        Assert.Contains("never", cells[7].TextContent);
        Assert.Contains(".connections-table .connections-secondary { display: none; }", cut.Markup);
        // Between a phone and 1600 px only the user, secret, thumbprint and policy columns give way, said under the name.
        Assert.Equal([false, false, false, true, true, true, true, false, false, false], cells.Select(c => c.ClassList.Contains("connections-tertiary")));
        Assert.Equal("user svc · no secret · thumbprint pinned · unencrypted allowed", nameCell.QuerySelector("[data-testid=connection-inline-wide]")!.TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=connections-empty]"));
    }
}

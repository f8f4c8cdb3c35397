using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Components.Pages;
using MudBlazor.Services;
using MudBlazor;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>
/// The Approvals inbox on the portal's own use cases and database: batch cards with members and justification, search,
/// several requests decided at once after a confirmation, and paging.
/// </summary>
public sealed class ApprovalsInboxTests : BunitContext, IClassFixture<PortalWebFactory>
{
    private static readonly PortalUser Requester = TestUsers.Requester;
    private readonly PortalWebFactory _factory;

    public ApprovalsInboxTests(PortalWebFactory factory)
    {
        _factory = factory;
        // The page takes a fresh scope per use-case call (PortalPage); each resolves from a scope of the real app.
        Services.AddScoped(_ => new AppScope(_factory.Services.CreateAsyncScope()));
        Forward<ListRequests>();
        Forward<ListApprovalCards>();
        Forward<CheckRequest>();
        Forward<DecideRequest>();
        Forward<DecideBatch>();
        Services.AddMudServices();
        Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
        Services.AddSingleton<IConnectorKinds>(new ConnectorKinds([new DemoDescriptor(), new VSphereDescriptor(), new LibvirtDescriptor()]));
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    /// <summary>MudBlazor's popover service is disposed only asynchronously (see ComponentTestContext).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
    }

    private void Forward<T>() where T : class
    {
        Services.AddScoped(sp => sp.GetRequiredService<AppScope>().Scope.ServiceProvider.GetRequiredService<T>());
    }

    private sealed record AppScope(AsyncServiceScope Scope) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Scope.DisposeAsync();
    }


    private async Task<TResult> Send<T, TResult>(Func<T, Task<TResult>> call) where T : notnull
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<T>());
    }

    /// <summary>Twelve single requests and a batch of two, all waiting for one approval; VM names are returned in order.</summary>
    private async Task<(List<string> Singles, List<string> Batch, string Tag)> SeedAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await Send<SetApprovalRules, object?>(async u => { await u.HandleAsync(TestUsers.Admin, [new SetApprovalRules.Rule("one approval", ApprovalOutcome.RequireApprovals)]); return null; });
        var moves = await Send<PortalDbContext, List<(Guid Id, string Name, string Target)>>(async db =>
        {
            foreach (var app in await db.Applications.Include(a => a.Owners).ToListAsync())
                if (app.Owners.All(o => o.Principal != Requester.Id)) app.AddOwner(OwnerKind.User, Requester.Id);
            await db.SaveChangesAsync();
            var busy = await db.Requests.Where(r => RequestLoading.ActiveStates.Contains(r.State)).Select(r => r.VmId).ToListAsync();
            var vms = await db.Vms.Where(v => !busy.Contains(v.Id) && v.PowerState == PowerState.On).OrderBy(v => v.Name).Take(14).ToListAsync();
            var hosts = await db.Hosts.ToListAsync();
            return vms.Select(v => (v.Id, v.Name, hosts.First(h => h.ClusterName == v.ClusterName && h.ExternalId != v.HostExternalId).ExternalId)).ToList();
        });
        Assert.Equal(14, moves.Count);
        foreach (var (id, _, target) in moves.Take(12))
            await Send<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester, new SubmitRequest.Command(id, MigrationKind.Compute, true, target, null, $"Single {tag}")));
        await Send<SubmitBatch, BatchView>(u => u.HandleAsync(Requester, new SubmitBatch.Command($"Batch {tag}", $"Rack {tag} is retired",
            moves.Skip(12).Select(m => new SubmitBatch.Item(m.Id, MigrationKind.Compute, true, m.Target, null)).ToList())));
        return (moves.Take(12).Select(m => m.Name).ToList(), moves.Skip(12).Select(m => m.Name).ToList(), tag);
    }

    private IRenderedComponent<Approvals> RenderInbox()
    {
        var anna = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, TestUsers.Approver1.Id), new Claim(ClaimTypes.Name, TestUsers.Approver1.Name),
            new Claim(ClaimTypes.Role, "Approver")], "Test"));
        var cut = Render<Approvals>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(anna))));
        cut.WaitForElement("[data-testid=inbox-count]", TimeSpan.FromSeconds(30));
        return cut;
    }

    [Fact]
    public async Task Inbox_ListsBatchMembersAndJustification_AndPagesAndSearches()
    {
        var (_, batch, tag) = await SeedAsync();
        var cut = RenderInbox();

        // Paging: ten per page, and a pager for the rest.
        Assert.Equal(Approvals.PageSize, cut.FindAll("[data-testid=inbox-item]").Count);
        Assert.NotNull(cut.Find("[data-testid=inbox-pager]"));

        // Search: a batch member's name finds it, case-insensitively, and its card names both members and the reason.
        await cut.InvokeAsync(() => cut.FindComponents<MudTextField<string>>().Single(f => Equals(f.Instance.UserAttributes.GetValueOrDefault("data-testid"), "inbox-search"))
            .Instance.ValueChanged.InvokeAsync(batch[0].ToUpperInvariant()));
        cut.WaitForAssertion(() => Assert.Contains(batch[0], cut.FindAll("[data-testid=inbox-item]").Select(e => e.GetAttribute("data-vm"))));
        Assert.All(cut.FindAll("[data-testid=inbox-item]"), e => Assert.Contains(batch[0], e.GetAttribute("data-vm")!, StringComparison.OrdinalIgnoreCase));
        var card = cut.FindAll("[data-testid=batch]").Single(b => b.TextContent.Contains($"Rack {tag}"));
        // The card lists both members; the order among them is not a promise of the page.
        Assert.Equal(batch.Order(), card.QuerySelectorAll("[data-testid=batch-member] a").Select(a => a.TextContent.Trim()).Order());
        Assert.Contains($"Rack {tag} is retired", card.QuerySelector("[data-testid=batch-justification]")!.TextContent);

        await cut.InvokeAsync(() => cut.FindComponents<MudTextField<string>>().Single(f => Equals(f.Instance.UserAttributes.GetValueOrDefault("data-testid"), "inbox-search"))
            .Instance.ValueChanged.InvokeAsync("no such vm anywhere"));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=inbox-no-match]")));
        Assert.Empty(cut.FindAll("[data-testid=inbox-item]"));
    }

    [Fact]
    public async Task DecideSelected_ApprovesExactlyTheSelectedRequests_AfterTheDialogIsConfirmed()
    {
        await SeedAsync();
        var dialogs = Render<MudDialogProvider>();
        var cut = RenderInbox();
        var chosen = cut.FindAll("[data-testid=inbox-item]").Take(2).Select(e => e.GetAttribute("data-vm")!).ToList();

        foreach (var vm in chosen)
        {
            var box = cut.FindComponents<MudCheckBox<bool>>().First(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("aria-label"), $"Select {vm}"));
            await cut.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(true));
        }

        var selection = cut.Find("[data-testid=selection]");
        Assert.Contains("2 selected", selection.TextContent);
        cut.Find("[data-testid=selection] textarea").Input("Approved in CAB");
        cut.Find("[data-testid=selection] button[data-testid=approve]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Approve 2 selected request(s)?", dialogs.Markup));
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Approve").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=selection]")), TimeSpan.FromSeconds(30));
        var states = await Send<PortalDbContext, List<(string, RequestState)>>(async db =>
            (await db.Requests.Where(r => chosen.Contains(r.VmName)).Select(r => new { r.VmName, r.State }).ToListAsync()).Select(r => (r.VmName, r.State)).ToList());
        Assert.Equal(2, states.Count);
        Assert.All(states, s => Assert.NotEqual(RequestState.PendingApproval, s.Item2));
        Assert.DoesNotContain(cut.FindAll("[data-testid=inbox-item]"), e => chosen.Contains(e.GetAttribute("data-vm")!));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "Approved: 2 selected request(s).");
    }
}

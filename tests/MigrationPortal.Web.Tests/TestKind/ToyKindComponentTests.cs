using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Web.Components.Admin;
using MigrationPortal.Web.Components.Shared;
using MudBlazor;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>The toy kind's words and fields reach the pages through its descriptor only: the wizard's switch and the admin form.</summary>
public sealed class ToyKindComponentTests : BunitContext, IClassFixture<ToyKindWebFactory>
{
    private readonly AsyncServiceScope _host;

    public ToyKindComponentTests(ToyKindWebFactory factory)
    {
        // The registry and the use cases are the portal's own, with the toy kind installed by its one line.
        _host = factory.Services.CreateAsyncScope();
        Services.AddSingleton(factory.Services.GetRequiredService<IConnectorKinds>());
        Services.AddScoped(_ => _host.ServiceProvider.GetRequiredService<ListConnections>());
        Services.AddScoped(_ => _host.ServiceProvider.GetRequiredService<SaveConnection>());
        Services.AddMudServices();
        Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    private sealed class ToyBackend : IRequestWizardBackend
    {
        public static readonly VmView Teddy = new(Guid.NewGuid(), Guid.NewGuid(), "toy box", false, "teddy", PowerState.On, "pen-1", "pen-1", "playroom", "shelf", 1, 512, 1,
            Guid.NewGuid(), "toy-app", ToyDescriptor.KindName);

        public Task<IReadOnlyList<VmView>> ListVmsAsync(string? search) => Task.FromResult<IReadOnlyList<VmView>>([Teddy]);

        public Task<TargetOptions> ListTargetsAsync(Guid vmId) => Task.FromResult(new TargetOptions(vmId, Teddy.Name, "pen-1", "shelf",
            [new HostOption("pen-2", "pen-2", "playroom", true, true, null, 8192)], [new DatastoreOption("shelf", "shelf", 90, 1, true, true)]));

        public Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId) => Task.FromResult(new CalendarPeriods([], []));

        public Task<RequestPreview> PreviewAsync(SubmitRequest.Command command) =>
            Task.FromResult(new RequestPreview([], new ApprovalRequirement(ApprovalOutcome.AutoApprove, 0, null, "auto"), null, null, TimeSpan.FromMinutes(1), "toy"));

        public Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName) => Task.FromResult(Guid.NewGuid());
    }

    [Fact]
    public async Task Wizard_ShowsTheToyKindsSafetyCopyWording_WhenAToyIsChosen()
    {
        var cut = Render<RequestWizard>(p => p.Add(c => c.Backend, new ToyBackend()).Add(c => c.OnSubmitted, _ => { }));
        var vmSelect = cut.FindComponents<MudSelect<Guid>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "vm-select"));
        await cut.InvokeAsync(() => vmSelect.Instance.SelectOption(ToyBackend.Teddy.Id));
        await cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());
        await cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());
        var hostSelect = cut.FindComponents<MudSelect<string>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "host-select"));
        await cut.InvokeAsync(() => hostSelect.Instance.SelectOption("pen-2"));
        await cut.Find("button[data-testid=next]").ClickAsync(new MouseEventArgs());

        var safetySwitch = cut.FindComponents<MudSwitch<bool>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "take-snapshot"));
        Assert.Equal("Photocopy the toy first", safetySwitch.Find("*").TextContent.Trim());
    }

    [Fact]
    public async Task ConnectionForm_RendersTheToyKindsFields_AndItsEndpointErrorBesideTheField()
    {
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "u-adam"), new Claim(ClaimTypes.Name, "Adam"), new Claim(ClaimTypes.Role, "Administrator")], "Test"));
        var cut = Render<ConnectionsTab>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(admin))));
        var kind = cut.FindComponents<MudSelect<string>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), "connection-kind"));
        await cut.InvokeAsync(() => kind.Instance.SelectOption(ToyDescriptor.KindName));

        // A field's data-testid lands on its input; its label, help and error are around it, in the component's markup.
        string Field(string name) => cut.FindComponents<MudTextField<string>>()
            .Single(f => Equals(f.Instance.UserAttributes.GetValueOrDefault("data-testid"), $"connection-{name}")).Markup;
        Assert.Contains("Toy box address", Field("Endpoint"));
        Assert.Contains("Keeper name", Field("Username"));
        // The toy kind asks for no password, pin or certificate, so the form shows none.
        Assert.Empty(cut.FindAll("[data-testid=connection-Secret], [data-testid=connection-PinnedThumbprint], [data-testid=connection-CaCertificatePem]"));

        cut.Find("input[data-testid=connection-Endpoint], [data-testid=connection-Endpoint] input").Change("https://nursery.example");
        await cut.FindAll("button").Single(b => b.TextContent.Contains("Save connection", StringComparison.Ordinal)).ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Contains("A toy box address starts with toy://, such as toy://nursery.", Field("Endpoint")));
    }

    protected override void Dispose(bool disposing)
    {
        // MudBlazor's popover service can only be disposed asynchronously (see ComponentTestContext).
        if (!disposing) return;
        DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

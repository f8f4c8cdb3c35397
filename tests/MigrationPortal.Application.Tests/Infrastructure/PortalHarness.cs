using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>
/// The use-case tests' portal: <see cref="TestPortal"/> with the labelled demo connector as the hypervisor, and the demo
/// world's owners (Rita owns demo-payments directly, Otto owns demo-crm through a group).
/// </summary>
public sealed class PortalHarness : TestPortal
{
    // Declared here (not only inherited) so `using static PortalHarness` keeps bringing the cast into scope.
    public static readonly PortalUser Requester = TestUsers.Requester;
    public static readonly PortalUser OtherRequester = TestUsers.OtherRequester;
    public static readonly PortalUser Approver1 = TestUsers.Approver1;
    public static readonly PortalUser Approver2 = TestUsers.Approver2;
    public static readonly PortalUser Operator = TestUsers.Operator;
    public static readonly PortalUser Auditor = TestUsers.Auditor;
    public static readonly PortalUser Admin = TestUsers.Admin;

    public const string RequesterApp = "demo-payments";
    public const string OtherApp = "demo-crm";

    private PortalHarness(TestPortalOptions options) : base(options)
    {
    }

    public static PortalUser User(string id, string name, params string[] roles) => TestUsers.User(id, name, roles);

    /// <param name="configure">Registrations a test adds after the portal's own, such as a fake connector under a kind's key.</param>
    /// <param name="settings">Extra configuration (for example the Smtp section), added over the harness's own.</param>
    public static async Task<PortalHarness> StartAsync(DatabaseProvider provider, string connectionString, TimeSpan? demoDuration = null, ShiftableTimeProvider? time = null,
        TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Demo:MigrationDuration"] = (demoDuration ?? TimeSpan.FromSeconds(2)).ToString(),
            ["Approvals:ExpireAfter"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var harness = new PortalHarness(new TestPortalOptions(provider, connectionString) { Settings = values, Time = time, Clock = clock, Configure = configure });
        await harness.InitializeAsync();
        return harness;
    }

    protected override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await EnsureOwnersAsync();
    }

    private async Task EnsureOwnersAsync()
    {
        await Scoped<PortalDbContext>(async db =>
        {
            var apps = await db.Applications.Include(a => a.Owners).ToListAsync();
            var payments = apps.Single(a => a.Name == RequesterApp);
            payments.AddOwner(OwnerKind.User, Requester.Id);
            payments.Environment = "prod";
            payments.Criticality = "high";
            apps.Single(a => a.Name == OtherApp).AddOwner(OwnerKind.Group, "crm-owners");
            if (!await db.GroupMemberships.AnyAsync(m => m.UserId == OtherRequester.Id))
                db.GroupMemberships.Add(new UserGroupMembership { UserId = OtherRequester.Id, Group = "crm-owners" });
            await db.SaveChangesAsync();
        });
    }
}

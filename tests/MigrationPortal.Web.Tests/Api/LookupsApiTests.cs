using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// Issue 14 §3, the lookups a script needs: /api/v1/datastores and /api/v1/hosts give hypervisor IDs, the connection,
/// the cluster and the mounting hosts; a request takes a host or datastore by its portal ID or its hypervisor ID, and an
/// unknown or ambiguous one is a 400 ProblemDetails naming the field. In production mode, on SQLite and PostgreSQL.
/// </summary>
public abstract class LookupsApiTests<TFactory>(TFactory factory) where TFactory : PortalWebFactory
{
    private const string Operator = "u-olga|Olga|Operator";
    private const string Requester = "u-lena|Lena|Requester";

    /// <summary>
    /// A vCenter with one cluster of four hosts and four datastores, a VM on host 1 and datastore 1 of an application Lena
    /// owns, and a second vCenter whose host and datastore reuse the first one's hypervisor IDs (IDs are unique per
    /// connection only). Host 4's hypervisor ID is host 3's portal ID, and datastore 4's is datastore 3's, so each of those
    /// texts names two (a libvirt VM's hypervisor ID is a UUID, so this is not only a made-up case).
    /// </summary>
    /// <remarks>
    /// For the VM references: the second vCenter also has a VM "vm-1" of Lena's application (the same hypervisor ID in two
    /// connections), and the first has "vm-9", which belongs to an application Lena does not own.
    /// </remarks>
    private sealed record World(Guid Connection, string ConnectionName, Guid Vm, InventoryHost[] Hosts, InventoryDatastore[] Stores, Guid OtherConnection,
        Guid OtherVm = default, Guid StrangersVm = default, string Tag = "");

    private async Task<World> WorldAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var vcenter = new Connection($"vc-{tag}", ConnectionKinds.VSphere, $"https://vc-{tag}.example/sdk", "svc");
        var other = new Connection($"vc2-{tag}", ConnectionKinds.VSphere, $"https://vc2-{tag}.example/sdk", "svc");
        var host3Id = Guid.NewGuid();
        var hosts = new[]
        {
            new InventoryHost { ConnectionId = vcenter.Id, ExternalId = "host-1", Name = $"esx-1-{tag}", ClusterName = "cluster-a", CpuCores = 32, MemoryMb = 262144 },
            new InventoryHost { ConnectionId = vcenter.Id, ExternalId = "host-2", Name = $"esx-2-{tag}", ClusterName = "cluster-a", CpuCores = 32, MemoryMb = 262144 },
            new InventoryHost { Id = host3Id, ConnectionId = vcenter.Id, ExternalId = "host-3", Name = $"esx-3-{tag}", ClusterName = "cluster-a", CpuCores = 32, MemoryMb = 262144 },
            new InventoryHost { ConnectionId = vcenter.Id, ExternalId = host3Id.ToString(), Name = $"esx-4-{tag}", ClusterName = "cluster-a", CpuCores = 32, MemoryMb = 262144 },
        };
        var store3Id = Guid.NewGuid();
        var stores = new[]
        {
            new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = "datastore-1", Name = $"ds-1-{tag}", CapacityGb = 1000, FreeGb = 600,
                MountedOnHosts = $"{hosts[0].Name},{hosts[1].Name}" },
            new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = "datastore-2", Name = $"ds-2-{tag}", CapacityGb = 2000, FreeGb = 1500,
                MountedOnHosts = $"{hosts[0].Name}, {hosts[1].Name}, {hosts[2].Name}" },
            new InventoryDatastore { Id = store3Id, ConnectionId = vcenter.Id, ExternalId = "datastore-3", Name = $"ds-3-{tag}", CapacityGb = 500, FreeGb = 400,
                MountedOnHosts = hosts[2].Name },
            new InventoryDatastore { ConnectionId = vcenter.Id, ExternalId = store3Id.ToString(), Name = $"ds-4-{tag}", CapacityGb = 500, FreeGb = 400,
                MountedOnHosts = hosts[2].Name },
        };
        var app = new Domain.Inventory.Application($"app-{tag}");
        app.AddOwner(OwnerKind.User, "u-lena");
        var vm = new InventoryVm
        {
            ConnectionId = vcenter.Id, ExternalId = "vm-1", Name = $"web-{tag}", HostExternalId = "host-1", HostName = hosts[0].Name, ClusterName = "cluster-a",
            Datastores = stores[0].Name, PowerState = PowerState.On, Cpus = 2, MemoryMb = 4096, ProvisionedGb = 40, ApplicationId = app.Id,
        };
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Connections.AddRange(vcenter, other);
        db.Applications.Add(app);
        db.Hosts.AddRange(hosts);
        db.Hosts.Add(new InventoryHost { ConnectionId = other.Id, ExternalId = "host-2", Name = $"esx-other-{tag}", ClusterName = "cluster-z", CpuCores = 8, MemoryMb = 65536 });
        db.Datastores.AddRange(stores);
        db.Datastores.Add(new InventoryDatastore { ConnectionId = other.Id, ExternalId = "datastore-2", Name = $"ds-other-{tag}", CapacityGb = 10, FreeGb = 5 });
        var twin = new InventoryVm
        {
            ConnectionId = other.Id, ExternalId = "vm-1", Name = $"web-twin-{tag}", HostExternalId = "host-2", HostName = $"esx-other-{tag}", ClusterName = "cluster-z",
            Datastores = $"ds-twin-{tag}", PowerState = PowerState.On, Cpus = 1, MemoryMb = 1024, ProvisionedGb = 4, ApplicationId = app.Id,
        };
        var strangers = new Domain.Inventory.Application($"app-x-{tag}");
        var stranger = new InventoryVm
        {
            ConnectionId = vcenter.Id, ExternalId = "vm-9", Name = $"db-{tag}", HostExternalId = "host-1", HostName = hosts[0].Name, ClusterName = "cluster-a",
            Datastores = stores[0].Name, PowerState = PowerState.On, Cpus = 2, MemoryMb = 4096, ProvisionedGb = 40, ApplicationId = strangers.Id,
        };
        db.Applications.Add(strangers);
        db.Vms.AddRange(vm, twin, stranger);
        await db.SaveChangesAsync();
        return new World(vcenter.Id, vcenter.Name, vm.Id, hosts, stores, other.Id, twin.Id, stranger.Id, tag);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task ListDatastores_GivesHypervisorIdsConnectionClustersAndMountingHosts_WhenAnOperatorAsks()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Operator);
        using var response = await client.GetAsync($"/api/v1/datastores?connectionId={world.Connection}");
        var stores = (await JsonAsync(response, HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Equal(world.Stores.Select(s => s.Name), stores.Select(s => s.GetProperty("name").GetString()));
        var second = stores[1];
        Assert.Equal(world.Stores[1].Id, second.GetProperty("id").GetGuid());
        Assert.Equal("datastore-2", second.GetProperty("externalId").GetString());
        Assert.Equal(world.Connection, second.GetProperty("connectionId").GetGuid());
        Assert.Equal(world.ConnectionName, second.GetProperty("connectionName").GetString());
        Assert.Equal(new[] { "cluster-a" }, second.GetProperty("clusters").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1500, second.GetProperty("freeGb").GetInt64());
        // The hosts that mount it by their hypervisor IDs (what a request's TargetHostId takes), names trimmed and matched in its own connection.
        Assert.Equal(world.Hosts.Take(3).Select(h => h.ExternalId), second.GetProperty("mountedOn").EnumerateArray().Select(h => h.GetProperty("externalId").GetString()));
        Assert.Equal(new[] { "host-1", "host-2" }, stores[0].GetProperty("mountedOn").EnumerateArray().Select(h => h.GetProperty("externalId").GetString()));

        // Without the filter, the other vCenter's datastore with the same hypervisor ID is listed under its own connection.
        using var all = await client.GetAsync("/api/v1/datastores");
        var twins = (await JsonAsync(all, HttpStatusCode.OK)).EnumerateArray().Where(s => s.GetProperty("externalId").GetString() == "datastore-2"
            && (s.GetProperty("connectionId").GetGuid() == world.Connection || s.GetProperty("connectionId").GetGuid() == world.OtherConnection)).ToList();
        Assert.Equal(2, twins.Count);
        Assert.Empty(twins.Single(s => s.GetProperty("connectionId").GetGuid() == world.OtherConnection).GetProperty("mountedOn").EnumerateArray());
    }

    [Fact]
    public async Task ListDatastores_Answers403Problem_WhenTheCallerIsOnlyARequester()
    {
        using var client = factory.ClientFor(Requester);
        using var response = await client.GetAsync("/api/v1/datastores");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListHosts_GivesHypervisorIdConnectionAndCluster_WhenAnOperatorAsks()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Operator);
        using var response = await client.GetAsync("/api/v1/hosts");
        var hosts = (await JsonAsync(response, HttpStatusCode.OK)).EnumerateArray().Where(h => h.GetProperty("connectionId").GetGuid() == world.Connection).ToList();

        Assert.Equal(world.Hosts.Select(h => h.Id), hosts.Select(h => h.GetProperty("id").GetGuid()));
        Assert.Equal(world.Hosts.Select(h => h.ExternalId), hosts.Select(h => h.GetProperty("externalId").GetString()));
        Assert.All(hosts, h => Assert.Equal("cluster-a", h.GetProperty("clusterName").GetString()));
        Assert.All(hosts, h => Assert.Equal(world.ConnectionName, h.GetProperty("connectionName").GetString()));
    }

    public static TheoryData<string, string> TargetIds() => new()
    {
        { "Compute", "host:external" },
        { "Compute", "host:portal" },
        { "Storage", "datastore:external" },
        { "Storage", "datastore:portal" },
    };

    [Theory]
    [MemberData(nameof(TargetIds))]
    public async Task SubmitRequest_TargetsTheHostOrDatastoreOfTheVmsConnection_WhenGivenItsHypervisorOrPortalId(string kind, string given)
    {
        var world = await WorldAsync();
        var (what, form) = given.Split(':') is [var w, var f] ? (w, f) : throw new ArgumentException(given);
        // Host 2 and datastore 2: the other vCenter has a host and a datastore with the same hypervisor IDs.
        var host = world.Hosts[1];
        var store = world.Stores[1];
        var id = what == "host" ? (form == "external" ? host.ExternalId : host.Id.ToString()) : (form == "external" ? store.ExternalId : store.Id.ToString());
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            vmId = world.Vm, kind, live = false, justification = "Lookups test",
            targetHostId = what == "host" ? id : null, targetDatastoreId = what == "datastore" ? id : null,
        });
        var created = await JsonAsync(response, HttpStatusCode.Created);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var request = await db.Requests.FindAsync(created.GetProperty("id").GetGuid());
        Assert.NotNull(request);
        // Stored by hypervisor ID and name, whichever form was sent.
        if (what == "host")
        {
            Assert.Equal("host-2", request.Target.HostId);
            Assert.Equal(host.Name, request.Target.HostName);
        }
        else
        {
            Assert.Equal("datastore-2", request.Target.DatastoreId);
            Assert.Equal(store.Name, request.Target.DatastoreName);
        }
    }

    public static TheoryData<string, string, string> BadTargets() => new()
    {
        // kind, which target (host or datastore), text: {host3} and {store3} are replaced by those portal IDs, {other} by the other vCenter's host's.
        { "Compute", "host", "host-9" },
        { "Compute", "host", "{other}" },
        { "Compute", "host", "{host3}" },
        { "Storage", "datastore", "datastore-9" },
        { "Storage", "datastore", "{store3}" },
        { "Storage", "datastore", "{other-store}" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public async Task SubmitRequest_Answers400ProblemNamingTheField_WhenTheTargetIdIsUnknownOrAmbiguous(string kind, string what, string text)
    {
        var world = await WorldAsync();
        var (otherHost, otherStore) = await OtherIdsAsync(world);
        var id = text.Replace("{host3}", world.Hosts[2].Id.ToString()).Replace("{store3}", world.Stores[2].Id.ToString())
            .Replace("{other-store}", otherStore.ToString()).Replace("{other}", otherHost.ToString());
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            vmId = world.Vm, kind, live = false, justification = "Lookups test",
            targetHostId = what == "host" ? id : null, targetDatastoreId = what == "datastore" ? id : null,
        });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var field = what == "host" ? "TargetHostId" : "TargetDatastoreId";
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.Equal(new[] { field }, errors.EnumerateObject().Select(e => e.Name));
        Assert.NotEmpty(messages[0].GetString()!);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(scope.ServiceProvider.GetRequiredService<PortalDbContext>().Requests.Any(r => r.VmId == world.Vm));
    }

    public static TheoryData<string> VmForms() => ["portal", "hypervisor", "name"];

    [Theory]
    [MemberData(nameof(VmForms))]
    public async Task SubmitRequest_TakesTheVmByPortalIdHypervisorIdOrName_WhenTheConnectionSaysWhich(string form)
    {
        var world = await WorldAsync();
        var vm = form switch { "portal" => world.Vm.ToString(), "hypervisor" => "vm-1", _ => $"web-{world.Tag}" };
        using var client = factory.ClientFor(Requester);
        // "vm-1" is in both vCenters; the connection picks the first one's (a name or portal ID needs none, but may have it).
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            vmId = vm, connectionId = world.Connection, kind = "Compute", live = false, justification = "Lookups test", targetHostId = "host-2",
        });
        var created = await JsonAsync(response, HttpStatusCode.Created);

        Assert.Equal($"web-{world.Tag}", created.GetProperty("vmName").GetString());
        await using var scope = factory.Services.CreateAsyncScope();
        var request = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Requests.FindAsync(created.GetProperty("id").GetGuid());
        Assert.Equal(world.Vm, request!.VmId);
        Assert.Equal("host-2", request.Target.HostId);
    }

    [Fact]
    public async Task SubmitRequest_Answers400NamingBothConnections_WhenTheVmsHypervisorIdIsInTwoAndNoConnectionIsGiven()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new { vmId = "vm-1", kind = "Compute", live = false, justification = "Lookups test", targetHostId = "host-2" });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem.GetProperty("errors");
        Assert.Equal(new[] { "VmId" }, errors.EnumerateObject().Select(e => e.Name));
        var message = errors.GetProperty("VmId")[0].GetString()!;
        // The candidates, each with what picks it: both connections and both portal IDs.
        Assert.Contains(world.Connection.ToString(), message);
        Assert.Contains(world.OtherConnection.ToString(), message);
        Assert.Contains(world.Vm.ToString(), message);
        Assert.Contains(world.OtherVm.ToString(), message);
        Assert.Contains("connectionId", message);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(scope.ServiceProvider.GetRequiredService<PortalDbContext>().Requests.Any(r => r.VmId == world.Vm || r.VmId == world.OtherVm));
    }

    public static TheoryData<string, string> UnknownVms() => new()
    {
        // text ({newguid}: a portal ID nobody has), and the connectionId sent ({connection}: the first vCenter's; {random}: none's).
        { "vm-404", "" },
        { "vm-1", "{random}" },
        // Another application's VM by its hypervisor ID reads as unknown, so the ID cannot be used to probe for VMs.
        { "vm-9", "{connection}" },
        { "{newguid}", "" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(UnknownVms))]
    public async Task SubmitRequest_Answers400ProblemNamingVmId_WhenTheVmIsUnknownOrNotTheCallers(string text, string connection)
    {
        var world = await WorldAsync();
        var vmId = text.Replace("{newguid}", Guid.NewGuid().ToString());
        Guid? connectionId = connection switch { "{connection}" => world.Connection, "{random}" => Guid.NewGuid(), _ => null };
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new { vmId, connectionId, kind = "Compute", live = false, justification = "Lookups test", targetHostId = "host-2" });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(new[] { "VmId" }, errors.EnumerateObject().Select(e => e.Name));
        Assert.DoesNotContain($"db-{world.Tag}", errors.GetProperty("VmId")[0].GetString()!);
    }

    [Fact]
    public async Task SubmitRequest_Answers403_WhenAnotherApplicationsVmIsNamedByItsPortalId()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new { vmId = world.StrangersVm, kind = "Compute", live = false, justification = "Lookups test", targetHostId = "host-2" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task SubmitBatch_TakesEachVmByHypervisorIdAndConnection_AndNamesTheFailingItem()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Requester);
        using var bad = await client.PostAsJsonAsync("/api/v1/batches", new
        {
            name = $"batch-{world.Tag}", justification = "Lookups test",
            items = new object[]
            {
                new { vmId = "vm-1", connectionId = world.Connection, kind = "Compute", live = false, targetHostId = "host-2" },
                new { vmId = "vm-1", kind = "Compute", live = false, targetHostId = "host-2" },
            },
        });
        var problem = await JsonAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "Items[1].VmId" }, problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));

        using var good = await client.PostAsJsonAsync("/api/v1/batches", new
        {
            name = $"batch-{world.Tag}", justification = "Lookups test",
            items = new object[]
            {
                new { vmId = "vm-1", connectionId = world.Connection, kind = "Compute", live = false, targetHostId = world.Hosts[1].Id.ToString() },
                new { vmId = "vm-1", connectionId = world.OtherConnection, kind = "Storage", live = false, targetDatastoreId = "datastore-2" },
            },
        });
        var batch = await JsonAsync(good, HttpStatusCode.Created);
        var ids = batch.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
        await using var scope = factory.Services.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<PortalDbContext>().Requests.Where(r => ids.Contains(r.Id)).ToList();
        Assert.Equal(new[] { world.Vm, world.OtherVm }.Order(), requests.Select(r => r.VmId).Order());
        Assert.Equal("host-2", requests.Single(r => r.VmId == world.Vm).Target.HostId);
        Assert.Equal("datastore-2", requests.Single(r => r.VmId == world.OtherVm).Target.DatastoreId);
    }

    [Fact]
    public async Task SubmitBatch_Answers400_WhenTheSameVmIsNamedTwiceInDifferentForms()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsJsonAsync("/api/v1/batches", new
        {
            name = $"batch-{world.Tag}", justification = "Lookups test",
            items = new object[]
            {
                new { vmId = "vm-1", connectionId = world.Connection, kind = "Compute", live = false, targetHostId = "host-2" },
                new { vmId = world.Vm, kind = "Compute", live = false, targetHostId = "host-3" },
            },
        });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Items", out _), problem.ToString());
    }

    [Fact]
    public async Task SubmitEvacuation_TakesTheVmByHypervisorIdAndTheTargetByPortalId_WhenAnOperatorEmptiesAHost()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Operator);
        using var response = await client.PostAsJsonAsync($"/api/v1/hosts/{world.Hosts[0].Id}/evacuation", new
        {
            justification = "Lookups test",
            moves = new object[]
            {
                new { vmId = "vm-1", targetHostId = world.Hosts[1].Id.ToString(), kind = "Compute" },
                new { vmId = $"db-{world.Tag}", targetHostId = "host-2", kind = "Compute" },
            },
        });
        var batch = await JsonAsync(response, HttpStatusCode.Created);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var ids = batch.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
        var requests = db.Requests.Where(r => ids.Contains(r.Id)).ToList();
        Assert.Equal(new[] { world.StrangersVm, world.Vm }.Order(), requests.Select(r => r.VmId).Order());
        // Stored by the host's hypervisor ID, whichever form was sent.
        Assert.All(requests, r => Assert.Equal("host-2", r.Target.HostId));
    }

    [Fact]
    public async Task SubmitEvacuation_Answers400NamingTheMove_WhenAVmIsNotOnTheHostOrTheTargetIsAmbiguous()
    {
        var world = await WorldAsync();
        using var client = factory.ClientFor(Operator);
        using var response = await client.PostAsJsonAsync($"/api/v1/hosts/{world.Hosts[0].Id}/evacuation", new
        {
            justification = "Lookups test",
            moves = new object[]
            {
                // The twin is in the other vCenter: the host's connection scopes the name, so "vm-1" is this one and the twin's name is unknown.
                new { vmId = $"web-twin-{world.Tag}", targetHostId = "host-2", kind = "Compute" },
            },
        });
        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "Moves[0].VmId" }, problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));

        // Host 3's portal ID is host 4's hypervisor ID.
        using var ambiguous = await client.PostAsJsonAsync($"/api/v1/hosts/{world.Hosts[0].Id}/evacuation", new
        {
            justification = "Lookups test",
            moves = new object[] { new { vmId = "vm-1", targetHostId = world.Hosts[2].Id.ToString(), kind = "Compute" } },
        });
        var twoHosts = await JsonAsync(ambiguous, HttpStatusCode.BadRequest);
        var message = twoHosts.GetProperty("errors").GetProperty("Moves[0].TargetHostId")[0].GetString()!;
        Assert.Contains("'host-3'", message);
        Assert.Contains($"'{world.Hosts[3].Id}'", message);
    }

    [Fact]
    public async Task ValidateWave_NamesBothCandidatesOnTheRowsVmCell_WhenItsHypervisorIdIsInTwoConnections()
    {
        var world = await WorldAsync();
        // Every world's VMs are Lena's and "vm-1" is in all of them, so this test gives its two VMs a hypervisor ID of their own.
        var shared = $"vm-{world.Tag}";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            foreach (var id in new[] { world.Vm, world.OtherVm }) (await db.Vms.FindAsync(id))!.ExternalId = shared;
            await db.SaveChangesAsync();
        }

        using var client = factory.ClientFor(Requester);
        // Row 2 names the VM by name (one VM), row 3 by a hypervisor ID both vCenters have: a wave file has no connection column.
        var csv = $"VM,Kind,TargetHost,Wave,Justification\nweb-{world.Tag},Compute,host-2,w-{world.Tag},Lookups test\n{shared},Compute,host-2,w-{world.Tag},Lookups test\n";
        using var response = await client.PostAsync("/api/v1/waves/validate", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("Rows[3].VM", out var messages), errors.ToString());
        Assert.DoesNotContain(errors.EnumerateObject(), e => e.Name.StartsWith("Rows[2]", StringComparison.Ordinal));
        var message = messages[0].GetString()!;
        Assert.Contains(world.Vm.ToString(), message);
        Assert.Contains(world.OtherVm.ToString(), message);
    }

    private async Task<(Guid Host, Guid Datastore)> OtherIdsAsync(World world)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (db.Hosts.Single(h => h.ConnectionId == world.OtherConnection).Id, db.Datastores.Single(d => d.ConnectionId == world.OtherConnection).Id);
    }
}

public sealed class SqliteLookupsApiTests(ProductionWebFactory factory) : LookupsApiTests<ProductionWebFactory>(factory), IClassFixture<ProductionWebFactory>;

public sealed class PostgreSqlLookupsApiTests(PostgreSqlProductionWebFactory factory) : LookupsApiTests<PostgreSqlProductionWebFactory>(factory), IClassFixture<PostgreSqlProductionWebFactory>;

using JasperFx;
using ActionTracker.Api.ActionItems;
using ActionTracker.Api.ActionItems.Reminders;
using ActionTracker.Api.Operations;
using ActionTracker.Api.Policy;
using ActionTracker.Api.Postmortems;
using ActionTracker.Api.Reports;
using ActionTracker.Api.Teams;
using ActionTracker.Api.Demo;
using ActionTracker.Api.Digests;
using ActionTracker.Api.Events;
using ActionTracker.Api.Notifications;
using ActionTracker.Api.Infrastructure;
using ActionTracker.Api.Infrastructure.Auth;
using ActionTracker.Api.Infrastructure.Messaging;
using ActionTracker.Api.Infrastructure.Store;
using ActionTracker.Api.Web;

var builder = WebApplication.CreateBuilder(args);
if (DevTokenCommand.Matches(args))
    return DevTokenCommand.Run(builder.Configuration, args);
if (StoreSetup.MissingConnection(builder.Configuration) is { } missing)
{
    Console.Error.WriteLine(missing); // the service and its commands (rebuild-projections) alike
    return 2;
}

builder.AddTelemetry();
builder.AddMessaging();
builder.Services
    .AddProblemMapping()
    .AddStrictInput()
    .AddProtection(builder.Configuration)
    .AddGracefulShutdown(builder.Configuration)
    .AddBearerAuth()
    .AddAddressGuard(builder.Configuration)
    .AddActionTrackerStore(builder.Configuration)
    .AddMartenStore(builder.Configuration)
    .AddPolicies()
    .AddActionItems(builder.Configuration)
    .AddDeadlines(builder.Configuration)
    .AddNotifications(builder.Configuration)
    .AddTeams()
    .AddReports(builder.Configuration)
    .AddDigests(builder.Configuration)
    .AddEventFeed(builder.Configuration)
    .AddBroker(builder.Configuration)
    .AddPostmortems()
    .AddOperations()
    .AddDemoData(builder.Configuration)
    .AddApiDocs()
    .AddWebPages(builder.Configuration);

var app = builder.Build();
if (RebuildCommand.Matches(args))
    return await RebuildCommand.Run(app.Services, args);
if (args is ["codegen", ..])
    return await app.RunJasperFxCommands(args); // ops/codegen: Wolverine's handlers, written to Internal/Generated

app.UsePageSecurity(); // first: the public origin for everything after, the headers on every response
app.UseProblemMapping();
app.UseRequestLimits();
app.UseAuthentication();
app.UseProtection();
app.UseAuthorization();
app.UseStrictQuery();

app.MapApiDocs();
app.MapHealth();
app.MapPolicies();
app.MapActionItems();
app.MapTeams();
app.MapReports();
app.MapDigests();
app.MapEventFeed();
app.MapSubscriptions();
app.MapPostmortems();
app.MapAdmin();
app.MapWebPages();

app.Run();
return 0;

public partial class Program;

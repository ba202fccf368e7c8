#:package RabbitMQ.Client
#:property PublishAot=false
// Broker lag (ops/bench/event-lag.py starts this): binds a fresh queue to the exchange, then
// prints, for each message, the seconds from the event's time to its arrival, one per line, until
// stdin closes. Usage: dotnet run ops/bench/broker-lag.cs -- AMQP_URI [EXCHANGE]
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

var uri = args[0];
var exchange = args.Length > 1 ? args[1] : "action-tracker.events";
await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
await using var channel = await connection.CreateChannelAsync();
await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
await channel.QueueBindAsync(queue, exchange, "#");
var consumer = new AsyncEventingBasicConsumer(channel);
var output = Console.Out;
consumer.ReceivedAsync += (_, delivery) =>
{
    var arrived = DateTimeOffset.UtcNow;
    using var body = JsonDocument.Parse(delivery.Body);
    var time = body.RootElement.GetProperty("time").GetDateTimeOffset();
    lock (output)
        output.WriteLine($"{(arrived - time).TotalSeconds:F4} {body.RootElement.GetProperty("id").GetString()}");
    return Task.CompletedTask;
};
await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
Console.Out.WriteLine("ready");
Console.Out.Flush();
await Console.In.ReadToEndAsync();

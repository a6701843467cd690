#!/usr/bin/env python3
"""Prints the <includes> (and, where needed, <excludes>) of the shade filter that keeps, of an AWS
SDK v2 service jar, only what the named operations need (root pom.xml, execution lambda-jar of
maven-shade-plugin).

Usage: functions/sdk-keep-list.py JAR SERVICE OPERATION[,OPERATION...]
  e.g. functions/sdk-keep-list.py ~/.m2/repository/software/amazon/awssdk/glue/2.40.2/glue-2.40.2.jar \
       glue GetTable,CreateTable,...
SERVICE is the package under software/amazon/awssdk/services/ (glue, s3, dynamodb...). Name the
operations the SDK client sends by itself too (S3's CreateSession, DynamoDB's DescribeEndpoints).

Kept: every class outside model/, transform/ and paginators/ (clients, builders, endpoints, auth,
interceptors); the top-level class of every *Request (HotSpot's verifier loads each one when it
links the default client, which passes them as SdkRequest, and the endpoint interceptors test
requests with instanceof; they are loaded, never initialized, so what the request of an operation
not named names is not followed); every modelled exception (the client registers them all); and
the class-level closure (jdeps -verbose:class, all constant-pool references) of all of these and of
the named operations' request, response, marshaller and paginator classes, nested classes included,
not following the client interface, the default client and the delegating client, which name every
operation, nor what NOT_SHIPPED names. The function jars' ShadedJarIT makes each call, initializes
every kept class and fails naming any class a kept class names that the jar lacks
(LambdaJar.missingSdkClasses), so a class missing here after an SDK upgrade fails there by name:
run this again with the BOM's jar and paste its output over the filter's old lines.
"""
import collections
import re
import subprocess
import sys
import zipfile

jar, service, operations = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
prefix = 'software/amazon/awssdk/services/' + service + '/'
# How the service's client classes are spelled (S3Client, DynamoDbClient...): not derivable from the package.
CAPITALS = {'athena': 'Athena', 'dynamodb': 'DynamoDb', 'glue': 'Glue', 's3': 'S3', 'secretsmanager': 'SecretsManager',
            'sfn': 'Sfn'}
# What no function jar carries: the async clients (stripped from every SDK module by the lambda-jar
# execution's first SDK filter), the S3 presigner and the DynamoDB Streams client (no function uses
# them), and the classes that serve only those or the CRT-based S3 client (the CRT is not in the
# jars), which therefore could not even be loaded there. The sync clients reach none of them. Not
# followed; printed as <exclude> lines.
NOT_SHIPPED = {'s3': ('presigner/', 'crt/', 'multipart/', 'internal/crt/', 'internal/multipart/',
                     'internal/client/S3AsyncClientDecorator', 'internal/crossregion/S3CrossRegionAsyncClient',
                     'internal/signing/DefaultS3Presigner'),
              'dynamodb': ('streams/',)}
if service not in CAPITALS:
    sys.exit('Add the client class spelling of %s to CAPITALS' % service)
capital = CAPITALS[service]
not_shipped = NOT_SHIPPED.get(service, ())


def outer(name):
    return name.split('$')[0]

clients = {prefix + 'Default' + capital + 'Client', prefix + capital + 'Client', prefix + 'Delegating' + capital + 'Client'}


def not_followed(name):
    """The clients name every operation; the async classes are stripped by another filter; and NOT_SHIPPED."""
    local = name[len(prefix):]
    return (outer(name) in clients or 'Async' in local or 'Publisher' in local
            or any(local == a or local.startswith(a + '$') or a.endswith('/') and local.startswith(a)
                   for a in not_shipped))

jdeps = subprocess.run(['jdeps', '-verbose:class', '-filter:none', jar], capture_output=True, text=True, check=True)
edges = collections.defaultdict(set)
for line in jdeps.stdout.splitlines():
    match = re.match(r'\s+(\S+)\s+->\s+(\S+)\s', line)
    if match and match.group(2).replace('.', '/').startswith(prefix):
        edges[match.group(1).replace('.', '/')].add(match.group(2).replace('.', '/'))
classes = [n[:-len('.class')] for n in zipfile.ZipFile(jar).namelist() if n.endswith('.class') and n.startswith(prefix)]
marshalled = {c[len(prefix + 'transform/'):-len('RequestMarshaller')] for c in classes
              if c.startswith(prefix + 'transform/') and c.endswith('RequestMarshaller')}


def stub(name):
    """The top-level request class of an operation not named: kept by the *Request.class line, never
    initialized (the verifier only loads it, and the endpoint interceptors test requests with
    instanceof), so what it names is not followed."""
    local = name[len(prefix):]
    return (local.startswith('model/') and '$' not in local and local.endswith('Request')
            and local[len('model/'):-len('Request')] in marshalled
            and local[len('model/'):-len('Request')] not in operations)


def wanted(name):
    local = name[len(prefix):]
    folder, _, simple = local.rpartition('/')
    top = simple.split('$')[0]
    if folder.startswith('model/'):
        return False  # S3's event stream of SelectObjectContent, an async-only operation: kept if reached.
    if folder == 'model':
        return (top.endswith('Exception') or top in (capital + 'Request', capital + 'Response', capital + 'ResponseMetadata')
                or any(top in (op + 'Request', op + 'Response') for op in operations))
    if folder == 'transform':
        return any(top == op + 'RequestMarshaller' for op in operations)
    if folder == 'paginators':
        return any(top == op + 'Iterable' for op in operations)
    return True


kept, todo = set(), [c for c in classes if wanted(c) and not not_followed(c)]
while todo:
    name = todo.pop()
    if name in kept or not_followed(name) or stub(name):
        continue
    kept.add(name)
    todo.extend(edges.get(name, ()))
    todo.extend(c for c in classes if c.startswith(name + '$'))

types = sorted({outer(c)[len(prefix):] for c in kept if c[len(prefix):].startswith(('model/', 'transform/', 'paginators/'))})
print('<includes>')
print('<include>%s*.class</include>' % prefix)
for folder in sorted({c[len(prefix):].split('/')[0] for c in kept if '/' in c[len(prefix):]}
                     - {'model', 'transform', 'paginators'}):
    print('<include>%s%s/**</include>' % (prefix, folder))
print('<include>%smodel/*Request.class</include>' % prefix)
print('<include>%smodel/*Exception.class</include>' % prefix)
print('<include>%smodel/*Exception$*.class</include>' % prefix)
for t in types:
    simple = t.split('/')[-1]
    if t.startswith('model/') and simple.endswith('Exception'):
        continue
    if not (t.startswith('model/') and simple.endswith('Request')):
        print('<include>%s%s.class</include>' % (prefix, t))
    if any(c.startswith(prefix + t + '$') for c in classes):
        print('<include>%s%s$*.class</include>' % (prefix, t))
print('</includes>')
if not_shipped:
    print('<excludes>')
    for a in not_shipped:
        print('<exclude>%s%s</exclude>' % (prefix, a + '**' if a.endswith('/') else a + '*.class'))
    print('</excludes>')

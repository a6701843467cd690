#!/usr/bin/env python3
"""Prints the <include> lines of the shade filter that keeps, of an AWS SDK v2 service jar, only
what the named operations need (root pom.xml, execution lambda-jar of maven-shade-plugin).

Usage: functions/sdk-keep-list.py JAR SERVICE OPERATION[,OPERATION...]
  e.g. functions/sdk-keep-list.py ~/.m2/repository/software/amazon/awssdk/glue/2.40.2/glue-2.40.2.jar \
       glue GetTable,CreateTable,...

Kept: every class outside model/, transform/ and paginators/ (clients, builders, endpoints, auth);
the top-level class of every *Request (HotSpot's verifier loads each one when it links the default
client, which passes them as SdkRequest; they are loaded, never initialized); every modelled
exception (the client registers them all); and the class-level closure (jdeps -verbose:class, all
constant-pool references) of the named operations' request, response, marshaller and paginator
classes and of the exceptions, nested classes included, not following the client interface and
the default client, which name every operation. The function jars' ShadedJarIT makes each call
and initializes every kept class, so a class missing here after an SDK upgrade fails there by name:
run this again with the BOM's jar and paste its output over the old lines.
"""
import collections
import re
import subprocess
import sys
import zipfile

jar, service, operations = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
prefix = 'software/amazon/awssdk/services/' + service + '/'
capital = {'glue': 'Glue', 'athena': 'Athena'}.get(service, service.capitalize())


def outer(name):
    return name.split('$')[0]

clients = {prefix + 'Default' + capital + 'Client', prefix + capital + 'Client'}


def not_followed(name):
    """The clients name every operation; the async classes are stripped by another filter."""
    local = name[len(prefix):]
    return outer(name) in clients or 'Async' in local or 'Publisher' in local

jdeps = subprocess.run(['jdeps', '-verbose:class', '-filter:none', jar], capture_output=True, text=True, check=True)
edges = collections.defaultdict(set)
for line in jdeps.stdout.splitlines():
    match = re.match(r'\s+(\S+) -> (\S+)\s', line)
    if match and match.group(2).replace('.', '/').startswith(prefix):
        edges[match.group(1).replace('.', '/')].add(match.group(2).replace('.', '/'))
classes = [n[:-len('.class')] for n in zipfile.ZipFile(jar).namelist() if n.endswith('.class') and n.startswith(prefix)]


def wanted(name):
    local = name[len(prefix):]
    folder, _, simple = local.rpartition('/')
    top = simple.split('$')[0]
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
    if name in kept or not_followed(name):
        continue
    kept.add(name)
    todo.extend(edges.get(name, ()))
    todo.extend(c for c in classes if c.startswith(name + '$'))

types = sorted({outer(c)[len(prefix):] for c in kept if c[len(prefix):].startswith(('model/', 'transform/', 'paginators/'))})
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

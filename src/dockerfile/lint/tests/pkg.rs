//! Package manager rules other than apt.
use super::check;

#[test]
fn os_package_managers() {
    check(&[
        (
            "DL3018",
            "FROM a:1\nRUN apk add --no-cache curl\n",
            2,
            "FROM a:1\nRUN apk add --no-cache curl=8 'b>1' ./c.apk --virtual .deps\n",
        ),
        (
            "DL3019",
            "FROM a:1\nRUN apk add curl=8\n",
            2,
            "FROM a:1\nRUN apk add --no-cache curl=8\nRUN --mount=type=cache,target=/var/cache/apk apk add c=1\n",
        ),
        (
            "DL3030",
            "FROM a:1\nRUN yum install httpd-2.4 && yum clean all\n",
            2,
            "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n",
        ),
        (
            "DL3032",
            "FROM a:1\nRUN yum install -y httpd-2.4\n",
            2,
            "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n",
        ),
        (
            "DL3033",
            "FROM a:1\nRUN yum install -y httpd && yum clean all\n",
            2,
            "FROM a:1\nARG V\nRUN yum install -y httpd-2.4.6 x-$V && yum clean all\n",
        ),
        (
            "DL3034",
            "FROM a:1\nRUN zypper install curl=8 && zypper clean\n",
            2,
            "FROM a:1\nRUN zypper -n install curl=8 && zypper clean\n",
        ),
        (
            "DL3035",
            "FROM a:1\nRUN zypper dup -y\n",
            2,
            "FROM a:1\nRUN zypper up -y\n",
        ),
        (
            "DL3036",
            "FROM a:1\nRUN zypper install -y curl=8\n",
            2,
            "FROM a:1\nRUN zypper install -y curl=8 && zypper clean\n",
        ),
        (
            "DL3037",
            "FROM a:1\nRUN zypper install -y curl && zypper clean\n",
            2,
            "FROM a:1\nRUN zypper install -y 'curl>=8' && zypper clean\n",
        ),
        (
            "DL3038",
            "FROM a:1\nRUN dnf install git-2 && dnf clean all\n",
            2,
            "FROM a:1\nRUN microdnf install -y git-2 && microdnf clean all\n",
        ),
        (
            "DL3040",
            "FROM a:1\nRUN dnf install -y git-2\n",
            2,
            "FROM a:1\nRUN dnf install -y git-2 && dnf clean all\n",
        ),
        (
            "DL3041",
            "FROM a:1\nRUN dnf install -y git && dnf clean all\n",
            2,
            "FROM a:1\nRUN dnf install -y git-2.45 && dnf clean all\n",
        ),
    ]);
}

#[test]
fn language_package_managers() {
    check(&[
        (
            "DL3013",
            "FROM a:1\nRUN pip install --no-cache-dir flask\n",
            2,
            "FROM a:1\nRUN pip install --no-cache-dir flask==3 -r r.txt\nRUN pip install --no-cache-dir .\n",
        ),
        (
            "DL3016",
            "FROM a:1\nRUN npm install -g typescript\n",
            2,
            "FROM a:1\nRUN npm install\nRUN npm install -g typescript@5 ./lib\n",
        ),
        (
            "DL3028",
            "FROM a:1\nRUN gem install rails\n",
            2,
            "FROM a:1\nRUN gem install rails:7 && gem install -v 1 rake\n",
        ),
        (
            "DL3042",
            "FROM a:1\nRUN pip install flask==3\n",
            2,
            "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3\n",
        ),
        (
            "DL3060",
            "FROM a:1\nRUN yarn install\n",
            2,
            "FROM a:1\nRUN yarn install && yarn cache clean\n",
        ),
        (
            "DL3062",
            "FROM a:1\nRUN go install example.com/x@latest\n",
            2,
            "FROM a:1\nRUN go install example.com/x@v1.2.3 && go install ./...\n",
        ),
    ]);
}
